"""The visitor's saved voices as one value: read from what the browser sent, changed, written back.

`Library.read(raw)` accepts anything (the browser's copy is untrusted), keeps the entries that pass
`record.parse_voice` and says in `problems` which ones were dropped and why. Every change checks the
limits that keep the value storable: unique names, at most MAX_VOICES, and what BrowserState would
write staying inside the browser's storage (`record.STORAGE_BUDGET_CHARS`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from components.errors import InputError
from components.library.record import (
    LIBRARY_FORMAT,
    LIBRARY_VERSION,
    MAX_VOICES,
    SAVED_PREFIX,
    STORAGE_BUDGET_CHARS,
    EntryRefused,
    SavedVoice,
    entry_label,
    parse_voice,
    stored_chars,
)

UNREADABLE = "The voices saved in this browser could not be read, so they were set aside."


@dataclass(frozen=True)
class Library:
    """The saved voices, oldest first, and what was dropped when they were read."""

    voices: tuple[SavedVoice, ...] = ()
    problems: tuple[str, ...] = ()
    """One sentence per entry dropped while reading (shown to the person, then forgotten)."""

    @classmethod
    def read(cls, raw: Any) -> Library:
        """Whatever the browser sent -> the voices that can be trusted, and why the others were dropped."""
        if raw is None or raw == {} or raw == []:
            return cls()
        entries = raw.get("voices") if isinstance(raw, dict) else raw
        if not isinstance(entries, list) or (isinstance(raw, dict) and raw.get("format") != LIBRARY_FORMAT):
            return cls((), (UNREADABLE,))
        voices: list[SavedVoice] = []
        problems: list[str] = []
        for entry in entries[:MAX_VOICES]:
            try:
                voice = parse_voice(entry)
            except EntryRefused as why:
                problems.append(f"Dropped {entry_label(entry)} from your saved voices: {why}.")
                continue
            if any(v.uid == voice.uid or v.name.casefold() == voice.name.casefold() for v in voices):
                problems.append(f"Dropped a second copy of “{voice.name}” from your saved voices.")
                continue
            voices.append(voice)
        if len(entries) > MAX_VOICES:
            problems.append(f"Dropped {len(entries) - MAX_VOICES} saved voices over the limit of {MAX_VOICES}.")
        return cls(tuple(voices), tuple(problems))

    def to_value(self) -> dict:
        """What the browser keeps (the BrowserState value)."""
        return {"format": LIBRARY_FORMAT, "version": LIBRARY_VERSION, "voices": [v.to_json() for v in self.voices]}

    def find(self, uid_or_value: str) -> SavedVoice | None:
        uid = uid_or_value.removeprefix(SAVED_PREFIX)
        return next((voice for voice in self.voices if voice.uid == uid), None)

    def named(self, name: str) -> SavedVoice | None:
        """The voice called `name` (case and spacing ignored)."""
        wanted = " ".join(name.split()).casefold()
        return next((voice for voice in self.voices if voice.name.casefold() == wanted), None)

    def free_name(self, name: str) -> str:
        """`name`, or `name 2`, `name 3`... if taken (for imports, which must not fail on a name)."""
        candidate, number = name, 1
        while self.named(candidate) is not None:
            number += 1
            candidate = f"{name[: 40 - len(str(number)) - 1]} {number}"
        return candidate

    def added(self, voice: SavedVoice) -> Library:
        """With `voice` at the end; InputError when the name is taken or the browser has no room."""
        if self.named(voice.name) is not None:
            raise InputError(f"You already have a voice called “{voice.name}”. Choose another name.")
        if len(self.voices) >= MAX_VOICES:
            raise InputError(f"This browser keeps up to {MAX_VOICES} voices. Delete or export one first.")
        return self._checked(replace(self, voices=(*self.voices, voice), problems=()))

    def replaced(self, voice: SavedVoice) -> Library:
        """With the voice of the same uid replaced (rename, a ModelsLab link added)."""
        clash = self.named(voice.name)
        if clash is not None and clash.uid != voice.uid:
            raise InputError(f"You already have a voice called “{voice.name}”. Choose another name.")
        voices = tuple(voice if v.uid == voice.uid else v for v in self.voices)
        return self._checked(replace(self, voices=voices, problems=()))

    def without(self, uid: str) -> Library:
        return replace(self, voices=tuple(v for v in self.voices if v.uid != uid), problems=())

    def _checked(self, library: Library) -> Library:
        used = stored_chars(library.to_value())
        if used > STORAGE_BUDGET_CHARS:
            raise InputError(
                "This browser's storage for this site is full "
                f"({used / 1e6:.1f} of {STORAGE_BUDGET_CHARS / 1e6:.1f} million characters). "
                "Export a voice you rarely use, then delete it, and save again."
            )
        return library
