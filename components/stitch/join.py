"""Parts in text order -> one clip: silence trimmed, loudness matched, pauses between, crossfades within.

Each part is prepared on its own (trim, level) as soon as it arrives, so that work happens while
other parts are still being made. The Stitcher then takes the parts strictly in text order and hands
back, for each, the samples that are final from then on: the live player can play part 1 while part 2
is being made, and the whole clip is those chunks end to end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from components.audio.level import (
    frame_length,
    frame_power,
    integrated_loudness,
    level_to_target,
)
from components.audio.resample import resample

TRIM_BELOW_PEAK_DB = 40.0
"""Frames this far under the part's loudest frame at its start and end count as silence."""
TRIM_PAD_S = 0.04
"""Kept on each side of the speech, so no consonant is clipped."""
FADE_S = 0.01
"""A part's first and last 10 ms are faded, so a join never clicks."""
CROSSFADE_S = 0.04
"""Overlap where a sentence was cut into two parts: equal-power, short enough to hide no word."""


@dataclass(frozen=True, slots=True)
class PreparedPart:
    samples: np.ndarray = field(repr=False)
    rate: int
    gain_db: float = 0.0

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def trim_silence(samples: np.ndarray, rate: int) -> np.ndarray:
    """The part without the silence before and after its speech (kept: TRIM_PAD_S each side)."""
    frame = frame_length(rate)
    power = frame_power(samples, frame)
    if len(power) == 0:
        return samples
    loudest = float(power.max())
    if loudest <= 0:
        return samples[:0]
    active = np.flatnonzero(power >= loudest * 10 ** (-TRIM_BELOW_PEAK_DB / 10))
    pad = int(TRIM_PAD_S * rate)
    start = max(0, active[0] * frame - pad)
    end = min(len(samples), (active[-1] + 1) * frame + pad)
    return samples[start:end]


def prepare_part(samples: np.ndarray, rate: int) -> PreparedPart:
    """Trim a part and bring it to the clip's loudness (about -20 LUFS, peaks under -1 dBFS)."""
    trimmed = np.ascontiguousarray(trim_silence(np.asarray(samples, dtype=np.float32), rate))
    if np.isfinite(integrated_loudness(trimmed, rate)):
        leveled, change = level_to_target(trimmed, rate)
        return PreparedPart(leveled, rate, change.gain_db)
    return PreparedPart(trimmed, rate)  # under 0.4 s: too short to measure; left as it came


def _to_rate(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target:
        return samples
    if rate > target:
        return resample(samples, rate, target)
    positions = np.arange(int(len(samples) * target / rate)) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def _fade(samples: np.ndarray, rate: int, head: bool, tail: bool) -> np.ndarray:
    n = min(int(FADE_S * rate), len(samples) // 2)
    if n == 0 or not (head or tail):
        return samples
    samples = samples.copy()
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    if head:
        samples[:n] *= ramp
    if tail:
        samples[-n:] *= ramp[::-1]
    return samples


class Stitcher:
    """Takes prepared parts in text order; `add` returns the samples that are final after each one.

    The whole clip is those returns end to end; the Stitcher keeps none of them (a 10,000-character
    clip is about 55 MB of samples): the caller writes them out as they come.
    """

    def __init__(self, lead_in_s: float = 0.0):
        self.rate: int | None = None
        self.spans: list[tuple[float, float]] = []
        """Each part's (start, end) in the clip, in seconds."""
        self._lead_in_s = lead_in_s
        self._held = np.zeros(0, np.float32)
        """The end of the previous part, kept back to crossfade into the next one."""
        self._position = 0
        """Samples handed out so far."""

    @property
    def seconds(self) -> float:
        return (self._position + len(self._held)) / self.rate if self.rate else 0.0

    def add(self, part: PreparedPart, pause_after_s: float, crossfade: bool) -> np.ndarray:
        """Append the next part; returns the newly final samples (this part, the pause after it).

        With `crossfade` the part's last 40 ms are held back and mixed into the next part's start.
        """
        rate = self.rate = self.rate or part.rate
        held = self._held
        body = _fade(_to_rate(part.samples, part.rate, rate), rate, head=not len(held), tail=not crossfade)
        out = [np.zeros(int(self._lead_in_s * rate), np.float32)] if not self.spans else []
        start = self._position + sum(len(piece) for piece in out)
        rest = body
        if len(held):
            overlap = min(len(held), len(body))
            angle = np.linspace(0.0, np.pi / 2, overlap, dtype=np.float32)
            mixed = held[len(held) - overlap :] * np.cos(angle) + body[:overlap] * np.sin(angle)
            out += [held[: len(held) - overlap], mixed.astype(np.float32)]
            start += len(held) - overlap
            rest = body[overlap:]
        self.spans.append((start / rate, (start + len(body)) / rate))
        hold = min(int(CROSSFADE_S * rate), len(rest) // 2) if crossfade else 0
        out.append(rest[: len(rest) - hold])
        self._held = rest[len(rest) - hold :] if hold else np.zeros(0, np.float32)
        out.append(np.zeros(int(max(pause_after_s, 0.0) * rate), np.float32))
        return self._emit(np.concatenate(out))

    def finish(self) -> np.ndarray:
        """The last held samples (if the clip ended on a crossfade)."""
        tail, self._held = self._held, np.zeros(0, np.float32)
        return self._emit(tail)

    def _emit(self, samples: np.ndarray) -> np.ndarray:
        self._position += len(samples)
        return samples
