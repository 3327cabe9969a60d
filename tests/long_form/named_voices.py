"""Named voices for script tests: two real LibriSpeech speakers under the names Alice and Bruno.

Until the voice library answers for names, scripts are tested through the same VoiceDirectory
interface with this small directory of prepared samples.
"""

from __future__ import annotations

from pathlib import Path

from components.long_form import Voice
from components.script.lines import name_key

SHARED_VOICES = Path(__file__).resolve().parents[2].parent / "shared" / "voices"
ALICE = SHARED_VOICES / "speakers" / "4830-25898-0000.flac"
BRUNO = SHARED_VOICES / "same-speaker" / "1688" / "1688-142285-0000.flac"


class TwoVoices:
    """Alice and Bruno, prepared by the service itself (as any sample is)."""

    def __init__(self, service):
        self.voices = {
            "Alice": Voice("Alice", service.check_reference(ALICE)),
            "Bruno": Voice("Bruno", service.check_reference(BRUNO)),
        }
        self.lookups = 0

    def names(self, api_key: str) -> dict[str, str]:
        self.lookups += 1
        return {name_key(name): name for name in self.voices}

    def resolve(self, name: str, api_key: str) -> Voice:
        return self.voices[name]
