"""Signal measurements behind sample coaching: level, clipping, background noise, tones and music.

Pure numpy, no model. Every threshold that decides a finding lives in coaching.py; this module only
measures. The measurements were calibrated on the LibriSpeech readings in shared/voices (clean) and
on the same readings with noise, tones and synthetic music mixed in (bench/voice_match.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from components.audio.level import frame_length, frame_power
from components.voice_match import features

CLIP_TOLERANCE = 0.001
"""Samples within 0.1 % of the loudest one sit on the same flat top (clean speech: runs of 1-2)."""
CLIP_MIN_RUN = 3
CLIP_MIN_PEAK = 0.1
"""Flat tops below -20 dBFS are quantisation steps of quiet audio, not clipping."""
NOISE_FRAME_S = 0.02
TONE_FFT = 2048
"""128 ms frames at 16 kHz (7.8 Hz bins): a steady tone stays in one bin, speech harmonics drift."""
TONE_HOP = 512
TONE_BAND_HZ = (50.0, 4000.0)
TONE_PROMINENCE_DB = 12.0
"""A spectral peak this far above its 250 Hz neighbourhood's median is a line, not noise: in
noise a 12 dB excess over the median happens in one bin out of ~10^5."""
TONE_AUDIBLE_DB = -30.0
"""A line counts only if its A-weighted level is within 30 dB of the speech: LibriSpeech reader
1998 has a 55 Hz mains hum at -21 dB (A-weighted about -50 dB), which no one needs to hear
about."""
PAUSE_BELOW_DB = 10.0
MIN_PAUSE_FRAMES = 10
"""About 0.3 s of pauses: fewer and the pause measures are not trusted (continuous speech)."""
_BLOCK_BINS = 32
_FRAMES_PER_BLOCK = 256
"""Spectra are analysed 256 frames (about 8 s) at a time, bounding the working memory."""


@dataclass(frozen=True, slots=True)
class SignalMeasures:
    """What coaching needs to know about a sample's signal (no judgement here)."""

    speech_level_db: float
    """Active speech level in dBFS (louder 10 ms frames; pauses excluded); -inf for silence."""
    peak: float
    """Largest absolute sample value."""
    clipped_runs: int
    """Places where >= 3 consecutive samples sit on the peak's flat top."""
    snr_db: float
    """Loud frames (95th percentile) over the quiet ones (10th percentile), 20 ms frames, in dB."""
    tone_persistence: float
    """Largest share of pause frames (or of all frames, without pauses) where one frequency holds
    an audible spectral line: about 1.0 for a steady tone or hum, under 0.5 for clean speech."""
    tone_hz: float
    """Frequency of that line."""
    tone_level_db: float
    """Its A-weighted level relative to the speech, in dB."""
    tonal_pauses: float
    """Share of pause frames holding any audible spectral line (music fills pauses with them)."""
    pause_frames: int


def measure(samples: np.ndarray, rate: int) -> SignalMeasures:
    """Measure a mono sample. Level and clipping use the original samples (resampling would round
    off flat tops); noise and tones use a 16 kHz copy.

    Args:
        samples: mono float audio in [-1, 1].
        rate: Hz.
    """
    x = features.mono(samples)
    x16 = features.resample(x, rate)
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    tone = _tone_measures(x16)
    level = features.active_level_db(x, rate)
    snr = snr_db(x16, features.SAMPLE_RATE)
    return SignalMeasures(level, peak, clipped_runs(x, peak), snr, *tone)


def clipped_runs(x: np.ndarray, peak: float) -> int:
    """Number of runs of >= CLIP_MIN_RUN consecutive samples within CLIP_TOLERANCE of the peak."""
    if peak < CLIP_MIN_PEAK:
        return 0
    on_top = np.abs(x) >= peak * (1 - CLIP_TOLERANCE)
    edges = np.diff(np.concatenate([[0], on_top.astype(np.int8), [0]]))
    lengths = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    return int(np.count_nonzero(lengths >= CLIP_MIN_RUN))


def snr_db(x: np.ndarray, rate: int) -> float:
    """Speech-to-background ratio from frame energies: the quiet frames (10th percentile) are the
    background between words, the loud ones (95th) the voice. Clean LibriSpeech: 23-65 dB; with
    white noise 5 dB under the speech: 9-12 dB."""
    power = frame_power(x, frame_length(rate, NOISE_FRAME_S))
    if len(power) < 10:
        return float("inf")
    db = 10 * np.log10(power + 1e-20)
    return float(np.percentile(db, 95) - np.percentile(db, 10))


def a_weighting_db(hz: np.ndarray) -> np.ndarray:
    """IEC 61672 A-weighting in dB (0 at 1 kHz): how much quieter a tone at `hz` sounds."""
    f2 = np.asarray(hz, dtype=np.float64) ** 2 + 1e-12
    ra = (12194.0**2 * f2**2) / (
        (f2 + 20.6**2) * np.sqrt((f2 + 107.7**2) * (f2 + 737.9**2)) * (f2 + 12194.0**2)
    )
    return 20 * np.log10(ra) + 2.0


def _tone_measures(x16: np.ndarray) -> tuple[float, float, float, float, int]:
    """Spectral lines per 128 ms frame, and how they persist (tone) or fill the pauses (music).

    Returns SignalMeasures' last five fields, in order.
    """
    if len(x16) < TONE_FFT + 4 * TONE_HOP:
        return 0.0, 0.0, float("-inf"), 0.0, 0
    frames = np.lib.stride_tricks.sliding_window_view(x16, TONE_FFT)[::TONE_HOP]
    window = np.hanning(TONE_FFT).astype(np.float32)
    power = np.concatenate([
        _power(frames[i : i + _FRAMES_PER_BLOCK] * window)
        for i in range(0, len(frames), _FRAMES_PER_BLOCK)
    ])  # fmt: skip
    frame_db = 10 * np.log10(power.sum(axis=1, dtype=np.float64))
    loud = np.percentile(frame_db, 95)
    speech_db = float(10 * np.log10(np.mean(10 ** (frame_db[frame_db >= loud - 25] / 10))))
    lines = np.concatenate([
        _spectral_lines(power[i : i + _FRAMES_PER_BLOCK], speech_db)
        for i in range(0, len(power), _FRAMES_PER_BLOCK)
    ])  # fmt: skip
    near = lines | np.roll(lines, 1, axis=1) | np.roll(lines, -1, axis=1)  # a line may wobble a bin
    pauses = (frame_db <= np.percentile(frame_db, 25)) & (frame_db < speech_db - PAUSE_BELOW_DB)
    has_pauses = pauses.sum() >= MIN_PAUSE_FRAMES
    counted = pauses if has_pauses else np.ones(len(frame_db), bool)
    persistence = near[counted].mean(axis=0)
    k = int(np.argmax(persistence))
    k += int(np.argmax(lines[counted, max(k - 1, 0) : k + 2].sum(axis=0))) - min(k, 1)
    hz = k * features.SAMPLE_RATE / TONE_FFT  # the line's own bin, not a neighbour
    band = power[counted, max(k - 1, 0) : k + 2].sum(axis=1, dtype=np.float64)
    level = 10 * np.log10(np.median(band)) - speech_db + float(a_weighting_db(hz))
    if persistence[k] == 0:
        level = float("-inf")  # no line anywhere: there is no tone to give a level to
    tonal = float(lines[pauses].any(axis=1).mean()) if has_pauses else 0.0
    return float(persistence[k]), hz, float(level), tonal, int(pauses.sum())


def _power(windowed: np.ndarray) -> np.ndarray:
    spectrum = np.fft.rfft(windowed, axis=1)[:, : TONE_FFT // 2]
    return (spectrum.real**2 + spectrum.imag**2).astype(np.float32) + np.float32(1e-20)


def _spectral_lines(power: np.ndarray, speech_db: float) -> np.ndarray:
    """(frames, bins) mask of audible narrow peaks: local maxima TONE_PROMINENCE_DB above the
    median of their 32-bin block (interpolated between blocks), within TONE_AUDIBLE_DB of the
    speech once A-weighted, inside TONE_BAND_HZ."""
    db = 10 * np.log10(power)
    n_frames, n_bins = db.shape
    floor = np.median(db.reshape(n_frames, -1, _BLOCK_BINS), axis=2) @ _block_interpolation()
    hz = np.arange(n_bins) * features.SAMPLE_RATE / TONE_FFT
    three_bins = power + np.roll(power, 1, axis=1) + np.roll(power, -1, axis=1)
    audible = 10 * np.log10(three_bins) - speech_db + _A_WEIGHTS >= TONE_AUDIBLE_DB
    local_max = (db >= np.roll(db, 1, axis=1)) & (db >= np.roll(db, -1, axis=1))
    in_band = (hz >= TONE_BAND_HZ[0]) & (hz <= TONE_BAND_HZ[1])
    return (db - floor >= TONE_PROMINENCE_DB) & local_max & audible & in_band[None, :]


@lru_cache(maxsize=1)
def _block_interpolation() -> np.ndarray:
    """(blocks, bins) weights that spread the block medians linearly over the bins."""
    bins = TONE_FFT // 2
    centres = np.arange(_BLOCK_BINS / 2, bins, _BLOCK_BINS)
    eye = np.eye(len(centres))
    return np.stack([np.interp(np.arange(bins), centres, row) for row in eye]).astype(np.float32)


_A_WEIGHTS = a_weighting_db(np.arange(TONE_FFT // 2) * features.SAMPLE_RATE / TONE_FFT).astype(
    np.float32
)
