"""A text -> the Plan of a clip: parts in text order, each with its voice, emotion and the silence after it.

Prose: paragraphs (separated by blank lines) are split into parts; a single line break is a space.
Script (see `lines`): each line is a turn, in its own voice. Pause tags split the text and become
silence. Between parts come natural pauses: longer after a paragraph or a change of speaker, shorter
after a sentence or a clause; a part cut mid-sentence is joined with a short crossfade instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from components.errors import InputError
from components.script.limits import LIMITS, Limits
from components.script.lines import ScriptLine, read_lines
from components.script.markup import Pause, split_pauses
from components.script.pace import speech_seconds
from components.script.sentences import split_parts

NATURAL_PAUSE_S = {"paragraph": 0.8, "turn": 0.5, "sentence": 0.35, "clause": 0.2, "word": 0.0}
MAIN_VOICE = ""
"""Part.voice for text not given to a named voice: the sample or voice id of the request."""


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    voice: str = MAIN_VOICE
    """MAIN_VOICE, or a voice's name from a script line."""
    emotion: str = "neutral"
    pause_after_s: float = 0.0
    """Silence between this part and the next (0 after the last)."""
    crossfade: bool = False
    """Cut mid-sentence: joined to the next part with a short crossfade, no silence."""
    line: int = 1
    """Line of the text where the part's turn starts (for messages)."""


@dataclass(frozen=True, slots=True)
class Plan:
    parts: tuple[Part, ...]
    lead_in_s: float = 0.0
    """Silence before the first part (a pause tag at the very start)."""
    is_script: bool = False

    @property
    def voices(self) -> tuple[str, ...]:
        """The voices the parts use, in order of first use (MAIN_VOICE included if used)."""
        return tuple(dict.fromkeys(part.voice for part in self.parts))

    @property
    def pause_total_s(self) -> float:
        return self.lead_in_s + sum(part.pause_after_s for part in self.parts)


@dataclass(frozen=True, slots=True)
class _Turn:
    text: str
    voice: str
    emotion: str
    line: int
    after: str
    """'paragraph' or 'turn': the natural pause that follows it."""


def plan_text(
    text: str,
    *,
    language: str,
    emotion: str,
    part_chars: int,
    first_part_chars: int | None = None,
    pack: bool = True,
    known_names: Mapping[str, str] | None = None,
    limits: Limits = LIMITS,
) -> Plan:
    """Split `text` into the parts one clip is made of.

    Args:
        text: what the person typed (prose, or a script with `Name:` lines), with pause tags.
        language, emotion: the clip's; a script line may set its own emotion.
        part_chars, first_part_chars, pack: the backend's part size (see `split_parts`).
        known_names: voices a script line may name: name_key(name) -> the name as shown.
    Raises:
        InputError: a script or pause mistake, nothing to speak, or over a limit (the message says which).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    read = read_lines(lines, known_names or {})
    turns = _script_turns(read, emotion, limits) if read is not None else _paragraphs(lines, emotion)
    builder = _Builder(part_chars, first_part_chars, pack, limits)
    for turn in turns:
        builder.add(turn)
    parts = builder.parts
    if not parts:
        raise InputError("There is nothing to speak: the text has only pauses or punctuation. Type some words.")
    if not builder.ends_with_pause:  # no natural pause after the last part; a pause tag there stays
        parts[-1] = replace(parts[-1], pause_after_s=0.0, crossfade=False)
    plan = Plan(tuple(parts), builder.lead_in_s, read is not None)
    check_limits(plan, language, limits)
    return plan


def _paragraphs(lines: list[str], emotion: str) -> list[_Turn]:
    text = "\n".join(lines)
    turns, line = [], 1
    for block in re.split(r"\n\s*\n", text):
        if block.strip():
            start = line + len(block) - len(block.lstrip("\n"))
            turns.append(_Turn(block, MAIN_VOICE, emotion, start, "paragraph"))
        line += block.count("\n") + 2
    return turns


def _script_turns(read: list[ScriptLine | str], emotion: str, limits: Limits) -> list[_Turn]:
    named = sum(isinstance(item, ScriptLine) for item in read)
    if named > limits.max_script_lines:
        raise InputError(
            f"The script has {named} lines for named voices; the limit is {limits.max_script_lines}. "
            "Split it into several clips."
        )
    turns: list[_Turn] = []
    for number, item in enumerate(read, start=1):
        if isinstance(item, str) and not item.strip():
            if turns:
                turns[-1] = replace(turns[-1], after="paragraph")
            continue
        if isinstance(item, ScriptLine):
            turns.append(_Turn(item.text, item.name, item.emotion or emotion, number, "turn"))
        else:
            turns.append(_Turn(item, MAIN_VOICE, emotion, number, "turn"))
    return turns


class _Builder:
    """Collects parts turn by turn; a pause tag replaces the natural pause where it stands."""

    def __init__(self, part_chars: int, first_part_chars: int | None, pack: bool, limits: Limits):
        self.parts: list[Part] = []
        self.lead_in_s = 0.0
        self._explicit: set[int] = set()
        self._sizes = (part_chars, first_part_chars, pack)
        self._limits = limits

    def add(self, turn: _Turn) -> None:
        part_chars, first_part_chars, pack = self._sizes
        for piece in split_pauses(turn.text, self._limits.max_pause_s):
            if isinstance(piece, Pause):
                self._pause(piece.seconds)
                continue
            first = first_part_chars if not self.parts else None
            for chunk in split_parts(piece, part_chars, first_limit=first, pack=pack):
                self.parts.append(
                    Part(chunk.text, turn.voice, turn.emotion, NATURAL_PAUSE_S[chunk.boundary],
                         chunk.boundary == "word", turn.line)
                )
        last = len(self.parts) - 1
        if last >= 0 and last not in self._explicit:
            natural = max(self.parts[last].pause_after_s, NATURAL_PAUSE_S[turn.after])
            self.parts[last] = replace(self.parts[last], pause_after_s=natural, crossfade=False)

    @property
    def ends_with_pause(self) -> bool:
        return len(self.parts) - 1 in self._explicit

    def _pause(self, seconds: float) -> None:
        if not self.parts:
            self.lead_in_s += seconds
            return
        last = len(self.parts) - 1
        before = self.parts[last].pause_after_s if last in self._explicit else 0.0
        self.parts[last] = replace(self.parts[last], pause_after_s=before + seconds, crossfade=False)
        self._explicit.add(last)


def check_limits(plan: Plan, language: str, limits: Limits) -> None:
    """Refuse a plan over any limit before anything is spent; the message says which and what to do."""
    if len(plan.parts) > limits.max_parts:
        raise InputError(
            f"This text would take {len(plan.parts)} parts; the limit is {limits.max_parts} per clip. "
            "Shorten it or split it into several clips."
        )
    if plan.pause_total_s > limits.max_total_pause_s:
        raise InputError(
            f"The pauses add up to {plan.pause_total_s:.0f} s; the limit is "
            f"{limits.max_total_pause_s:.0f} s of silence per clip. Use fewer or shorter pauses."
        )
    estimated = plan.pause_total_s + sum(speech_seconds(part.text, language) for part in plan.parts)
    if estimated > limits.max_clip_s:
        raise InputError(
            f"This clip would last about {estimated / 60:.0f} minutes; the limit is "
            f"{limits.max_clip_s / 60:.0f} minutes. Split the text into several clips."
        )
