"""What a decoded input is: its samples, and a description of the file for the report."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from components.errors import AudioInputError


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What the input file was, for the report ("44.1 kHz stereo MP3, 62.3 s")."""

    format_name: str
    """Human name of the format, e.g. 'MP3', 'WAV (24-bit)', 'WebM (Opus)', 'MP4 video'."""
    sample_rate: int | None
    channels: int | None
    duration_s: float | None
    has_video: bool = False

    def describe(self) -> str:
        """One phrase: '44.1 kHz stereo MP3, 62.3 s'."""
        parts = [p for p in (format_rate(self.sample_rate), channel_word(self.channels)) if p]
        text = " ".join([*parts, self.format_name])
        if self.duration_s is not None:
            text += f", {self.duration_s:.1f} s"
        return text


@dataclass(frozen=True, slots=True)
class Decoded:
    samples: np.ndarray
    """float32 mono, DC not yet removed."""
    sample_rate: int
    source: SourceInfo


def format_rate(rate: int | None) -> str:
    """44100 -> '44.1 kHz', 24000 -> '24 kHz'."""
    if not rate:
        return ""
    return f"{rate / 1000:.1f}".rstrip("0").rstrip(".") + " kHz"


def channel_word(channels: int | None) -> str:
    return {None: "", 1: "mono", 2: "stereo"}.get(channels, f"{channels}-channel")


def too_long_error(duration_s: float, max_duration_s: float) -> AudioInputError:
    return AudioInputError(
        f"This recording is {duration_s / 60:.1f} minutes long; the limit is "
        f"{max_duration_s / 60:.0f} minutes. Upload a shorter clip: 10–30 seconds of speech is ideal."
    )
