"""Long-term spectra and the smooth filters built from them: analysis, warping, EQ, level, limiting.

All on float mono numpy arrays and one fixed frequency grid, so curves from different clips compare.
"""

from __future__ import annotations

import numpy as np

from components.audio.level import frame_power

GRID_HZ = np.arange(80.0, 7601.0, 25.0)
"""Fixed frequency grid of the long-term spectra (80-7600 Hz)."""
FIT_BAND = (GRID_HZ >= 150) & (GRID_HZ <= 6000)
"""Where spectral shapes are compared: the band that carries the voice's formants."""


def ltas(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Long-term log power spectrum on GRID_HZ over the louder half of the active frames."""
    x = np.asarray(samples, dtype=np.float64)
    n_fft = 1024 if sample_rate <= 24000 else 2048
    hop = n_fft // 4
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    count = 1 + (len(x) - n_fft) // hop
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop][:count] * np.hanning(n_fft)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    energy = 10 * np.log10(power.sum(axis=1) + 1e-12)
    active = energy > energy.max() - 40
    loud = energy >= np.median(energy[active]) if active.any() else active | True
    mean_power = power[loud].mean(axis=0)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    return np.interp(GRID_HZ, freqs, 10 * np.log10(mean_power + 1e-12))


def smooth(curve: np.ndarray, width_hz: float) -> np.ndarray:
    """A moving average `width_hz` wide along GRID_HZ (edges held)."""
    width = max(1, int(round(width_hz / (GRID_HZ[1] - GRID_HZ[0]))))
    padded = np.pad(curve, width, mode="edge")
    return np.convolve(padded, np.ones(width) / width, mode="same")[width:-width]


def warp(curve: np.ndarray, ratio: float) -> np.ndarray:
    """The spectrum after formants are scaled by `ratio` (a feature at f moves to ratio*f)."""
    return np.interp(GRID_HZ / ratio, GRID_HZ, curve)


def best_warp(source_db: np.ndarray, reference_db: np.ndarray, low: float, high: float) -> float:
    """Ratio in [low, high] (within 0.80-1.25) whose warped source best matches the
    reference's shape in 150-6000 Hz, ignoring level and linear tilt."""
    ref = smooth(reference_db, 200)[FIT_BAND]
    src = smooth(source_db, 200)
    basis = np.stack([np.ones(FIT_BAND.sum()), GRID_HZ[FIT_BAND] / 1000.0], axis=1)
    best, best_err = 1.0, np.inf
    low, high = max(low, 0.80), min(high, 1.25)
    for ratio in np.exp(np.linspace(np.log(low), np.log(max(high, low)), 21)):
        diff = ref - warp(src, ratio)[FIT_BAND]
        coef, *_ = np.linalg.lstsq(basis, diff, rcond=None)
        err = float(np.mean((diff - basis @ coef) ** 2))
        if err < best_err:
            best, best_err = float(ratio), err
    return best


def tilt_shape() -> np.ndarray:
    """-0.5 below 250 Hz rising to +0.5 above 4 kHz (log-frequency): times tilt_db."""
    return np.clip(np.log2(GRID_HZ / 250.0) / 4.0, 0.0, 1.0) - 0.5


def equalise(x: np.ndarray, sample_rate: int, curve_db: np.ndarray) -> np.ndarray:
    """Zero-phase EQ of a smooth curve: one FFT of the (padded) whole clip."""
    # A power-of-two length: numpy's FFT is slow (and memory-hungry) on prime-ish lengths.
    size = 1 << int(np.ceil(np.log2(len(x) + 4096)))
    spectrum = np.fft.rfft(x, n=size)
    freqs = np.fft.rfftfreq(size, 1.0 / sample_rate)
    gain = 10 ** (np.interp(freqs, GRID_HZ, curve_db) / 20)
    return np.fft.irfft(spectrum * gain, n=size)[: len(x)]


def normalise(x: np.ndarray, target_db: float) -> np.ndarray:
    """Scale so the RMS of the active 20 ms frames is `target_db` dBFS."""
    power = frame_power(x, 441)
    if len(power) == 0:
        return x
    rms = np.sqrt(power + 1e-12)
    active = rms[rms > rms.max() * 0.03]
    level = float(np.sqrt(np.mean(active**2))) if len(active) else 0.0
    return x if level < 1e-6 else x * (10 ** (target_db / 20) / level)


def limit(x: np.ndarray, threshold: float) -> np.ndarray:
    """Peak limiter: per-frame gain from the loudest of the frame and its neighbours,
    interpolated between frame centres, so |y| <= threshold with no hard clipping."""
    frame = 256
    count = -(-len(x) // frame)
    if count == 0:
        return x
    peaks = np.abs(np.pad(x, (0, count * frame - len(x)))).reshape(count, frame).max(axis=1)
    neighbours = np.maximum(peaks, np.maximum(np.roll(peaks, 1), np.roll(peaks, -1)))
    gains = np.minimum(1.0, threshold / np.maximum(neighbours, 1e-9))
    centres = np.arange(count) * frame + frame / 2
    gain = np.interp(np.arange(len(x)), centres, gains)
    return np.clip(x * gain, -threshold, threshold)
