"""How much one clip may ask for: hostile or careless input must not make the server do unbounded work.

Every figure here is in the README ("Long text and scripts"). MAX_TEXT_CHARS (settings) caps the text;
these cap what a text within it could still multiply: requests (parts), script lines, silence, length.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_parts: int = 200
    """Parts (one API request each on ModelsLab) in one clip."""
    max_script_lines: int = 200
    """`Name: text` lines in one script."""
    max_pause_s: float = 10.0
    """One `[pause]` / `<break>` tag; longer ones are clamped to this."""
    max_total_pause_s: float = 120.0
    """All the tags of one clip together."""
    max_clip_s: float = 40 * 60.0
    """One clip, speech (estimated from the text, then measured) plus silence: room for 10,000
    characters of Chinese (the slowest to read, about 37 minutes) and the pauses."""


LIMITS = Limits()
