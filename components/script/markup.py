"""Pause tags: `[pause 1.5s]`, `[pause 800ms]`, `[pause]` and SSML's `<break time="800ms"/>`.

A tag splits the text there and becomes silence in the clip (no API speaks silence reliably).
Each tag is clamped to Limits.max_pause_s. A tag that looks like a pause but cannot be read
(`[pause soon]`, `<break time="long"/>`) is refused with the spelling to use, rather than read aloud.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.errors import InputError

DEFAULT_PAUSE_S = 1.0
"""`[pause]` without a length."""
DEFAULT_BREAK_S = 0.5
"""`<break/>` without a time: SSML's default "medium" break."""

_NUMBER = r"(\d+(?:[.,]\d+)?|[.,]\d+)"
_UNIT = r"(ms|milliseconds?|s|secs?|seconds?)?"
PAUSE_TAG = re.compile(r"\[\s*pause\b[^\]\n]*\]|<\s*break\b[^<>\n]*>", re.IGNORECASE)
"""Anything shaped like a pause tag; `pause_seconds` then reads it or refuses it."""
_PAUSE_BODY = re.compile(rf"\[\s*pause\s*[:=]?\s*(?:{_NUMBER}\s*{_UNIT})?\s*\]", re.IGNORECASE)
_BREAK_BODY = re.compile(
    rf"<\s*break(?:\s+time\s*=\s*([\"']?)\s*{_NUMBER}\s*{_UNIT}\s*\1)?\s*/?\s*>", re.IGNORECASE
)
HOW_TO_WRITE = 'Write a pause as [pause 1.5s], [pause 800ms] or <break time="800ms"/>.'


@dataclass(frozen=True, slots=True)
class Pause:
    seconds: float
    """Already clamped to the per-tag limit."""
    tag: str
    """As written, for messages."""


def pause_seconds(tag: str, max_pause_s: float) -> float:
    """Seconds of silence a tag asks for, clamped to [0, max_pause_s]; InputError if unreadable."""
    match = _PAUSE_BODY.fullmatch(tag) or _BREAK_BODY.fullmatch(tag)
    if match is None:
        raise InputError(f"Could not read the pause tag {tag!r}. {HOW_TO_WRITE}")
    groups = [g for g in match.groups() if g not in (None, "", '"', "'")]
    if not groups:
        return DEFAULT_PAUSE_S if tag.lstrip().startswith("[") else DEFAULT_BREAK_S
    number = float(groups[0].replace(",", "."))
    unit = (groups[1] if len(groups) > 1 else "s").lower()
    seconds = number / 1000 if unit.startswith("m") else number
    return min(max(seconds, 0.0), max_pause_s)


def split_pauses(text: str, max_pause_s: float) -> list[str | Pause]:
    """Text and pauses in order: ['Hello.', Pause(1.5), 'Again.']; empty texts are left out."""
    pieces: list[str | Pause] = []
    position = 0
    for match in PAUSE_TAG.finditer(text):
        if text[position : match.start()].strip():
            pieces.append(text[position : match.start()])
        pieces.append(Pause(pause_seconds(match.group(0), max_pause_s), match.group(0)))
        position = match.end()
    if text[position:].strip():
        pieces.append(text[position:])
    return pieces
