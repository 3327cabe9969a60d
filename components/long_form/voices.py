"""Who speaks: the clip's main voice, and the voices a script names (`Name: text`).

The voice library (saved voices from the visitor's browser, example voices, ModelsLab account voices)
answers through one VoiceDirectory; until one is wired in, NO_NAMED_VOICES knows no names, so every
text is prose for the main voice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from components.audio.prepared import PreparedReference
from components.errors import VoiceCloneError


@dataclass(frozen=True, slots=True)
class Voice:
    """One voice a part can be conditioned on: a prepared sample, or a ModelsLab voice id."""

    name: str
    """'' for the main voice (the request's sample or voice id), else the name a script uses."""
    reference: PreparedReference | None = None
    voice_id: str = ""
    scored: PreparedReference | None = None
    """The sample its voice match compares with when it is not `reference` (a saved voice sent to
    ModelsLab as its voice id is still scored against its own sample)."""

    @property
    def match_reference(self) -> PreparedReference | None:
        """What this voice's parts are scored against."""
        return self.scored or self.reference


class VoiceDirectory(Protocol):
    """The named voices one visitor may use in a script."""

    def names(self, api_key: str) -> dict[str, str]:
        """name_key(name) -> the name as shown (components.script.lines.name_key)."""
        ...

    def resolve(self, name: str, api_key: str) -> Voice:
        """The voice for a name `names` listed; raises VoiceCloneError with a message otherwise."""
        ...


class _NoNamedVoices:
    def names(self, api_key: str) -> dict[str, str]:
        return {}

    def resolve(self, name: str, api_key: str) -> Voice:
        raise VoiceCloneError(f"There is no voice called {name}.")


NO_NAMED_VOICES: VoiceDirectory = _NoNamedVoices()
