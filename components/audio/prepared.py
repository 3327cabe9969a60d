"""PreparedReference: a reference clip ready for the API and the offline engine.

It lives in `audio` (not `reference`) because every part reads it: the ModelsLab client sends its data URI,
the offline engine matches its voice, the voice library stores it. Only `reference` makes one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from components.audio.data_uri import DataUri
from components.audio.level import wav_samples


@dataclass(frozen=True)
class PreparedReference:
    """A reference clip ready for the API and the offline engine."""

    wav_bytes: bytes = field(repr=False)
    """16-bit mono PCM WAV at `sample_rate`."""
    sample_rate: int
    """The target rate, or the input's own rate when that was lower (never upsampled)."""
    duration_s: float
    sha256: str
    """Hex sha256 of the *input* file's bytes (the cache key)."""
    source: str
    """What the input was, e.g. '44.1 kHz stereo MP3, 62.3 s'."""
    report: tuple[str, ...] = ()
    """Plain sentences saying what was changed, e.g. 'Removed 1.4 s of silence at the start.'"""
    mime_type: str = "audio/wav"
    warnings: tuple[str, ...] = ()
    """The report sentences that are worth a pop-up (clipping, low quality); also in `report`."""
    input_format: str = ""
    """Human name of the input format, e.g. 'MP3', 'WAV (24-bit)', 'WebM (Opus)', 'MP4 video (AAC sound)'."""
    input_rate: int | None = None
    input_channels: int | None = None
    input_duration_s: float | None = None
    kept_window: tuple[float, float] | None = None
    """(start, end) seconds of the input kept when its speech was longer than 30 s, else None."""
    loudness_lufs: float | None = None
    """Integrated loudness of the prepared clip."""

    def data_uri(self) -> DataUri:
        """The clip as a base64 data URI, as the API takes it. Built once per prepared clip: a cached
        reference sent again (another visitor, another click) is not re-encoded."""
        return self._data_uri

    @cached_property
    def _data_uri(self) -> DataUri:
        return DataUri.of(self.mime_type, self.wav_bytes)

    @property
    def footprint_bytes(self) -> int:
        """Memory this clip may hold: its WAV plus, once sent to the API, its data URI."""
        base64_chars = 4 * -(-len(self.wav_bytes) // 3)
        return len(self.wav_bytes) + len(f"data:{self.mime_type};base64,") + base64_chars

    def samples(self) -> np.ndarray:
        """The prepared audio as float32 mono in [-1, 1] (a fresh array)."""
        return wav_samples(self.wav_bytes)

    def __repr__(self) -> str:  # never dump audio bytes into logs
        return (
            f"PreparedReference({self.duration_s:.1f} s, {self.sample_rate} Hz, "
            f"{len(self.wav_bytes)} bytes, source={self.source!r})"
        )
