"""Loudness (ITU-R BS.1770 / EBU R128 LUFS), level matching with a peak ceiling, clipping, frame levels,
WAV bytes.

Frame levels (`frame_power`, `frame_levels`) are the one measure behind finding speech in a sample,
trimming a generated part's silence, the noise and level checks of sample coaching and the offline
engine's levelling: each was its own copy of the same three lines before.

The K-weighting filter is applied as a zero-phase FFT gain (its magnitude only): loudness is a power
measure, so the phase does not matter, and it saves scipy and a per-sample Python loop.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

TARGET_LUFS = -20.0
PEAK_CEILING_DBFS = -1.0
CLIP_LEVEL = 0.98
"""Samples at or above this magnitude sit on the rails of the original recording."""
CLIP_SHARE = 0.001
"""More than 0.1 % of samples on the rails means audible distortion, not a stray peak."""
FRAME_S = 0.01
"""Level frames of 10 ms: short enough to follow syllables and pauses, long enough to hold a voice's
pitch period."""
_BLOCK_S, _STEP_S = 0.4, 0.1
_ABSOLUTE_GATE_LUFS, _RELATIVE_GATE_LU = -70.0, -10.0


@dataclass(frozen=True, slots=True)
class LevelChange:
    gain_db: float
    loudness_before: float
    loudness_after: float
    held_back_db: float
    """How far short of the target the gain stopped so the loudest peak stays <= -1 dBFS."""


def _biquad_power(b, a, w: np.ndarray) -> np.ndarray:
    """|H(e^jw)|^2 of one biquad section."""
    z1, z2 = np.exp(-1j * w), np.exp(-2j * w)
    h = (b[0] + b[1] * z1 + b[2] * z2) / (a[0] + a[1] * z1 + a[2] * z2)
    return np.abs(h) ** 2


def k_weighting_power(rate: int, n_fft: int) -> np.ndarray:
    """Power response of BS.1770's K-weighting (high shelf +4 dB, then 38 Hz high-pass) per rfft bin.

    Coefficients are recomputed for any sample rate (the standard lists them for 48 kHz only), with
    the same design constants as pyloudnorm.
    """
    w = 2 * np.pi * np.arange(n_fft // 2 + 1) / n_fft
    gain = 10 ** (4.0 / 40)  # shelf: G = +4 dB, Q = 1/sqrt(2), fc = 1500 Hz
    w0 = 2 * np.pi * 1500.0 / rate
    alpha = np.sin(w0) / (2 * (1 / np.sqrt(2)))
    cos, root = np.cos(w0), np.sqrt(gain)
    shelf_b = (
        gain * ((gain + 1) + (gain - 1) * cos + 2 * root * alpha),
        -2 * gain * ((gain - 1) + (gain + 1) * cos),
        gain * ((gain + 1) + (gain - 1) * cos - 2 * root * alpha),
    )
    shelf_a = (
        (gain + 1) - (gain - 1) * cos + 2 * root * alpha,
        2 * ((gain - 1) - (gain + 1) * cos),
        (gain + 1) - (gain - 1) * cos - 2 * root * alpha,
    )
    w0 = 2 * np.pi * 38.0 / rate  # high-pass: Q = 0.5, fc = 38 Hz
    alpha, cos = np.sin(w0) / (2 * 0.5), np.cos(w0)
    hp_b = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2)
    hp_a = (1 + alpha, -2 * cos, 1 - alpha)
    return _biquad_power(shelf_b, shelf_a, w) * _biquad_power(hp_b, hp_a, w)


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Gated integrated loudness in LUFS of mono audio (-inf for silence or < 0.4 s).

    K-weighted energy is measured per 100 ms step from that step's power spectrum (Parseval), and
    the 400 ms gating blocks are sums of four steps: one small batched FFT instead of a long one.
    """
    step = int(_STEP_S * rate)
    n_steps = len(samples) // step
    per_block = round(_BLOCK_S / _STEP_S)
    if n_steps < per_block:
        return float("-inf")
    n_fft = step
    frames = samples[: n_steps * step].reshape(n_steps, step)
    spectra = np.fft.rfft(frames, n_fft, axis=1)
    power = spectra.real**2 + spectra.imag**2
    power[:, 1:-1] *= 2  # one-sided spectrum: count the negative frequencies too
    step_energy = power @ k_weighting_power(rate, n_fft) / n_fft
    energy = np.concatenate([[0.0], np.cumsum(step_energy)])
    z = (energy[per_block:] - energy[:-per_block]) / (per_block * step)
    with np.errstate(divide="ignore"):
        blocks = -0.691 + 10 * np.log10(np.maximum(z, 0))
    z = z[blocks > _ABSOLUTE_GATE_LUFS]
    if len(z) == 0:
        return float("-inf")
    relative_gate = -0.691 + 10 * np.log10(z.mean()) + _RELATIVE_GATE_LU
    kept = z[-0.691 + 10 * np.log10(z) > relative_gate]
    return float(-0.691 + 10 * np.log10(kept.mean()))


def level_to_target(samples: np.ndarray, rate: int) -> tuple[np.ndarray, LevelChange]:
    """Scale to about -20 LUFS, but never let a peak above -1 dBFS (the gain is held back instead
    of limiting, which would change the voice's character)."""
    before = integrated_loudness(samples, rate)
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if not np.isfinite(before) or peak <= 0:
        return samples, LevelChange(0.0, before, before, 0.0)
    gain_db = TARGET_LUFS - before
    peak_room_db = PEAK_CEILING_DBFS - 20 * np.log10(peak)
    held_back = max(0.0, float(gain_db - peak_room_db))
    gain_db = float(min(gain_db, peak_room_db))
    scaled = (samples * np.float32(10 ** (gain_db / 20))).astype(np.float32)
    return scaled, LevelChange(gain_db, before, before + gain_db, held_back)


def frame_length(rate: int, frame_s: float = FRAME_S) -> int:
    """Samples in one frame of `frame_s` seconds at `rate` (at least 1)."""
    return max(1, int(rate * frame_s))


def frame_power(samples: np.ndarray, frame: int) -> np.ndarray:
    """Mean square of each whole `frame`-sample frame of mono audio, in float64 (a short tail is left
    out): the frame's power, 1.0 for a full-scale square wave."""
    count = len(samples) // frame
    frames = np.asarray(samples)[: count * frame].reshape(count, frame)
    return np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / frame


def frame_levels(samples: np.ndarray, rate: int, frame_s: float = FRAME_S) -> np.ndarray:
    """Level of each frame in dBFS (RMS), float32; digital silence is -120."""
    power = frame_power(samples, frame_length(rate, frame_s))
    return (10 * np.log10(power + 1e-12)).astype(np.float32)


def clipped_share(samples: np.ndarray) -> float:
    """Share of samples on (or past) the rails: a sign the recording was made too loud."""
    if len(samples) == 0:
        return 0.0
    return float(np.count_nonzero(np.abs(samples) >= CLIP_LEVEL)) / len(samples)


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit mono PCM WAV (canonical 44-byte header) from float samples in [-1, 1]."""
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2").tobytes()
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16, b"data", len(pcm),
    )  # fmt: skip
    return header + pcm


def wav_samples(data: bytes) -> np.ndarray:
    """float32 samples back from wav_bytes() output."""
    return np.frombuffer(data, dtype="<i2", offset=44).astype(np.float32) / 32768.0
