"""Any user audio -> a clean 4-30 s mono reference (CONTRACT STUB: being implemented)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

MIN_SPEECH_S = 4.0
MAX_SPEECH_S = 30.0


@dataclass(frozen=True, slots=True)
class PreparedReference:
    """A reference clip ready for the API and the offline engine."""

    wav_bytes: bytes = field(repr=False)
    """16-bit mono PCM WAV at `sample_rate`."""
    sample_rate: int
    duration_s: float
    sha256: str
    """Hex sha256 of the *input* file's bytes (the cache key)."""
    source: str
    """What the input was, e.g. '44.1 kHz stereo MP3, 62.3 s'."""
    report: tuple[str, ...] = ()
    """Plain sentences saying what was changed, e.g. 'Removed 1.4 s of silence at the start'."""
    mime_type: str = "audio/wav"

    def data_uri(self) -> str:
        return f"data:{self.mime_type};base64," + base64.b64encode(self.wav_bytes).decode("ascii")

    def __repr__(self) -> str:  # never dump audio bytes into logs
        return (
            f"PreparedReference({self.duration_s:.1f} s, {self.sample_rate} Hz, "
            f"{len(self.wav_bytes)} bytes, source={self.source!r})"
        )


def prepare(path: str | Path, *, target_rate: int = 24000, max_upload_mb: float = 25.0) -> PreparedReference:
    """Decode, clean and check a reference recording. Raises AudioInputError with a user_message."""
    raise NotImplementedError
