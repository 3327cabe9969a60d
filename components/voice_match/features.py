"""The speaker encoder's front end in numpy: resampling to 16 kHz and 40-band log10 mel frames.

The bundled d-vector model was trained on one exact feature recipe, read from the package's own
`_extract_dvec` and its ONNX metadata: a 512-point STFT of a 400-sample periodic Hamming window
every 160 samples (no centre padding), power spectrum, 40 Slaney-scale mel bands (Slaney area
normalisation, 0-8 kHz), then log10(mel + 1e-10). The package computes this with librosa; doing
it here in numpy keeps librosa, scipy and numba out of the app's process (tests check that the
two agree).
"""

from __future__ import annotations

from functools import lru_cache
from math import ceil, gcd

import numpy as np

from components.audio.level import frame_power

SAMPLE_RATE = 16000
N_FFT = 512
WIN_LENGTH = 400
HOP_LENGTH = 160
N_MELS = 40
LOG_FLOOR = 1e-10
"""Added to the mel power before log10, as in training (silence becomes -10, not -inf)."""

_RESAMPLE_ZERO_CROSSINGS = 10
_RESAMPLE_BETA = 7.0
"""Kaiser window shape: about 70 dB of stop band, far below what moves a log-mel feature."""
_RESAMPLE_ROLLOFF = 0.97
_FRAMES_PER_BLOCK = 512
"""log_mel works on about 5 s of frames at a time."""
_MAX_PHASES = 1024
"""Odd rate pairs (e.g. 22051 Hz) round output positions to 1/1024 of an input sample."""


def mono(samples: np.ndarray) -> np.ndarray:
    """The samples as a 1-D float32 array; ValueError for multi-channel input (mix it down first:
    which axis holds the channels is the caller's to know)."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError(f"expected mono audio (1-D samples), got shape {x.shape}")
    return x


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling of mono audio (any rate pair, up or down), as float32.

    A Kaiser-windowed sinc per output phase. Outputs that share a phase sit `up` apart and read
    input windows `down` apart, so each phase is one strided matrix-vector product: a 10 s clip
    takes a few ms. It lives here, not in components.audio.resample, because that one only lowers
    rates (the reference pipeline never upsamples) and this must also raise 8 kHz audio to 16 kHz.

    Args:
        samples: mono float audio.
        rate: its sample rate in Hz (> 0).
        target: the wanted rate in Hz (> 0).
    """
    x = mono(samples)
    if rate == target:
        return x
    if rate <= 0 or target <= 0:
        raise ValueError(f"sample rates must be positive, got {rate} -> {target} Hz")
    g = gcd(rate, target)
    up, down = target // g, rate // g
    n_out = len(x) * up // down
    phases = min(up, _MAX_PHASES)
    table, lo = _phase_table(up, down, phases)
    taps = table.shape[1]
    padded = np.concatenate([np.zeros(-lo, np.float32), x, np.zeros(taps + down, np.float32)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, taps)
    out = np.empty(n_out, np.float32)
    for first in range(min(up, n_out)):
        count = len(range(first, n_out, up))
        start = first * down // up
        phase = (first * down % up) * phases // up
        out[first::up] = windows[start::down][:count] @ table[phase]
    return out


@lru_cache(maxsize=8)
def _phase_table(up: int, down: int, phases: int) -> tuple[np.ndarray, int]:
    """Filter weights per output phase (rows sum to 1: no level change), first tap's offset."""
    cutoff = 0.5 * min(1.0, up / down) * _RESAMPLE_ROLLOFF  # cycles per input sample
    half = _RESAMPLE_ZERO_CROSSINGS / (2 * cutoff)
    lo = -ceil(half)
    taps = np.arange(lo, ceil(half) + 2)
    frac = np.arange(phases) / phases
    d = taps[None, :] - frac[:, None]  # distance of each tap from the output instant
    u = np.clip(d / half, -1.0, 1.0)
    weights = 2 * cutoff * np.sinc(2 * cutoff * d) * np.i0(_RESAMPLE_BETA * np.sqrt(1 - u * u))
    weights[np.abs(d) > half] = 0.0
    weights /= weights.sum(axis=1, keepdims=True)
    return weights.astype(np.float32), lo


def _hz_to_slaney_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear (3 per 200 Hz) below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz * 3.0 / 200.0
    log_step = np.log(6.4) / 27.0
    above = 15.0 + np.log(np.maximum(hz, 1e-9) / 1000.0) / log_step
    return np.where(hz >= 1000.0, above, linear)


def _slaney_mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    log_step = np.log(6.4) / 27.0
    return np.where(mel >= 15.0, 1000.0 * np.exp(log_step * (mel - 15.0)), mel * 200.0 / 3.0)


@lru_cache(maxsize=1)
def mel_basis() -> np.ndarray:
    """(N_MELS, N_FFT // 2 + 1) triangular filters, each scaled to unit area (Slaney norm)."""
    edges = _slaney_mel_to_hz(
        np.linspace(_hz_to_slaney_mel(0.0), _hz_to_slaney_mel(SAMPLE_RATE / 2), N_MELS + 2)
    )
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    widths = np.diff(edges)
    rising = (bins[None, :] - edges[:-2, None]) / widths[:-1, None]
    falling = (edges[2:, None] - bins[None, :]) / widths[1:, None]
    basis = np.maximum(0.0, np.minimum(rising, falling))
    basis *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return basis.astype(np.float32)


@lru_cache(maxsize=1)
def _window() -> np.ndarray:
    """Periodic Hamming window of WIN_LENGTH samples (period N, as STFTs expect)."""
    n = np.arange(WIN_LENGTH)
    return (0.54 - 0.46 * np.cos(2 * np.pi * n / WIN_LENGTH)).astype(np.float32)


def log_mel(samples_16k: np.ndarray) -> np.ndarray:
    """(frames, N_MELS) float32 log10 mel power of 16 kHz mono audio; 10 ms per frame.

    Training centred the 400-sample window inside each 512-sample FFT frame. Here each frame
    takes just the 400 windowed samples and the FFT zero-pads them at the end: a circular shift
    of the same frame, so the power spectrum (all the model sees) is identical, for less work.
    Frames go through in blocks, so a minute of audio needs a few MB, not tens.
    """
    x = mono(samples_16k)
    if len(x) < N_FFT:
        return np.zeros((0, N_MELS), np.float32)
    n_frames = 1 + (len(x) - N_FFT) // HOP_LENGTH
    offset = (N_FFT - WIN_LENGTH) // 2
    frames = np.lib.stride_tricks.sliding_window_view(x[offset:], WIN_LENGTH)[::HOP_LENGTH]
    out = np.empty((n_frames, N_MELS), np.float32)
    for start in range(0, n_frames, _FRAMES_PER_BLOCK):
        stop = min(n_frames, start + _FRAMES_PER_BLOCK)
        spectrum = np.fft.rfft(frames[start:stop] * _window(), n=N_FFT, axis=1)
        power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
        out[start:stop] = np.log10(power @ mel_basis().T + np.float32(LOG_FLOOR))
    return out


TARGET_LEVEL_DB = -23.0
"""Active speech level every clip is brought to before the encoder: the typical level of the
LibriSpeech readings it is calibrated on. The encoder is level-sensitive (the same clip 10 dB
quieter scores 0.93 against itself, 20 dB quieter 0.75), and generated clips, references and
recordings all arrive at different levels."""
MAX_GAIN_DB = 40.0
_ACTIVE_GATE_DB = 25.0
"""Frames within this many dB of the loud (95th percentile) frames count as active speech."""


def active_level_db(samples: np.ndarray, rate: int) -> float:
    """Mean power of the louder 10 ms frames in dBFS (pauses excluded), or -inf for silence."""
    x = mono(samples)
    power = frame_power(x, max(1, rate // 100))
    if len(power) == 0:
        return float("-inf")
    loud = np.percentile(power, 95)
    if loud <= 0:
        return float("-inf")
    active = power[power >= loud * 10 ** (-_ACTIVE_GATE_DB / 10)]
    return float(10 * np.log10(active.mean()))


def normalise_level(samples_16k: np.ndarray) -> np.ndarray:
    """The clip scaled so its active speech level is TARGET_LEVEL_DB (at most +40 dB of gain)."""
    level = active_level_db(samples_16k, SAMPLE_RATE)
    if not np.isfinite(level):
        return np.asarray(samples_16k, dtype=np.float32)
    gain_db = min(TARGET_LEVEL_DB - level, MAX_GAIN_DB)
    return (np.asarray(samples_16k, dtype=np.float32) * np.float32(10 ** (gain_db / 20))).astype(
        np.float32
    )
