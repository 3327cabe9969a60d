"""Offline voice matching (approximate, not cloning) and emotion prosody, in one Praat step.

The method and its clamps come from shared/reference/offline-engine.md, where it was measured
on 62 pairs: a long-term-spectrum warp search picks the formant ratio, Praat "Change gender"
moves pitch median/range, formants and duration at once, and a gentle half-strength EQ follows.
Everything here works on float32 mono arrays; parselmouth is imported inside functions.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import numpy as np

logger = logging.getLogger(__name__)

GRID_HZ = np.arange(80.0, 7601.0, 25.0)
"""Fixed frequency grid of the long-term spectra (80-7600 Hz)."""
_FIT_BAND = (GRID_HZ >= 150) & (GRID_HZ <= 6000)

RATIO_LIMITS = (0.84, 1.20)
RATIO_LIMIT_HIGH_PITCH = 1.15
"""Formant ratio cap when the pitch rises more than 8 semitones (keeps it natural)."""
PRIOR_EXPONENT = 0.2
PRIOR_WINDOW = 1.08
SHIFT_LIMIT_ST = 14.0
RANGE_LIMITS = (0.6, 1.6)
EQ_LIMIT_DB = 4.0
MEDIAN_LIMITS_HZ = (70.0, 300.0)
FULL_STRENGTH_VOICED_S = 5.0
"""The reference needs this much voiced speech for full-strength formant/EQ matching."""
MIN_VOICED_S = 1.5
"""Below this the reference's pitch cannot be trusted: the voice is left unmatched."""
ANALYSIS_LIMIT_S = 20.0
TARGET_RMS_DB = -20.0
LIMIT_PEAK = 0.89  # -1 dBFS

_praat_lock = threading.Lock()  # Praat keeps global state; one call at a time


@dataclass(frozen=True, slots=True)
class Prosody:
    """One emotion as prosody (measured to move F0 median/range and duration as intended)."""

    pitch_st: float
    range_factor: float
    rate: float
    gain_db: float
    tilt_db: float


EMOTION_PROSODY: dict[str, Prosody] = {
    "neutral": Prosody(0.0, 1.0, 1.0, 0.0, 0.0),
    "happy": Prosody(2.0, 1.35, 1.08, 2.0, 2.0),
    "sad": Prosody(-1.5, 0.70, 0.88, -3.0, -3.0),
    "angry": Prosody(1.0, 1.25, 1.06, 4.0, 4.0),
    "dull": Prosody(-1.0, 0.45, 0.94, -1.5, -1.0),
}


@dataclass(frozen=True, slots=True)
class VoiceProfile:
    """What matching needs to know about a voice; tiny, so it is cached per reference."""

    median_hz: float
    """Median F0 of the voiced frames (0 when there are none)."""
    spread_st: float
    """Robust spread of log-F0 in semitones ((84th - 16th percentile) / 2)."""
    voiced_s: float
    """Seconds of voiced speech found (10 ms frames)."""
    ltas_db: np.ndarray = field(repr=False)
    """Long-term log power spectrum on GRID_HZ, averaged over the louder frames."""


@dataclass(frozen=True, slots=True)
class MatchPlan:
    """How to move one source voice toward one reference (before the emotion is added)."""

    source_median_hz: float
    target_median_hz: float
    shift_st: float
    formant_ratio: float
    range_factor: float
    eq_db: np.ndarray = field(repr=False)
    """Gentle EQ curve on GRID_HZ, within +-EQ_LIMIT_DB."""
    strength: float
    """1.0 with >= 5 s of voiced reference speech; formants and EQ are scaled down below that."""


def profile_of(samples: np.ndarray, sample_rate: int) -> VoiceProfile:
    """Measure a voice: pitch track (Praat autocorrelation, 10 ms, 60-700 Hz) and long-term
    spectrum. Trackers disagree on Piper joe's F0 (88/131/155 Hz), so one tracker, Praat's,
    is used everywhere: for the reference, for the source calibration, and inside Change
    gender, which moves each clip to the reference's median as Praat measures it.

    Args:
        samples: float mono audio in [-1, 1].
        sample_rate: Hz.
    """
    # 20 s is plenty for a median, a spread and a long-term spectrum, and it bounds the time
    # a new (up to 30 s) reference adds before the first audio.
    samples = np.asarray(samples)[: int(ANALYSIS_LIMIT_S * sample_rate)]
    f0 = _pitch_track(samples, sample_rate, 60.0, 700.0)
    voiced = f0[f0 > 0]
    if len(voiced) >= 10:
        semitones = 12 * np.log2(voiced)
        median = float(np.median(voiced))
        spread = float((np.percentile(semitones, 84) - np.percentile(semitones, 16)) / 2)
    else:
        median, spread = 0.0, 0.0
    return VoiceProfile(median, max(spread, 0.1), len(voiced) * 0.01, _ltas(samples, sample_rate))


def plan_match(source: VoiceProfile, reference: VoiceProfile) -> MatchPlan | None:
    """Pitch, range, formant ratio and EQ that move `source` toward `reference`, clamped.

    Returns None when the reference has too little voiced speech to be matched.
    """
    if reference.voiced_s < MIN_VOICED_S or reference.median_hz <= 0 or source.median_hz <= 0:
        return None
    strength = float(np.clip(
        (reference.voiced_s - MIN_VOICED_S) / (FULL_STRENGTH_VOICED_S - MIN_VOICED_S), 0.25, 1.0
    ))  # fmt: skip
    target = float(np.clip(reference.median_hz, *MEDIAN_LIMITS_HZ))
    shift = float(np.clip(12 * np.log2(target / source.median_hz), -SHIFT_LIMIT_ST, SHIFT_LIMIT_ST))
    high = RATIO_LIMIT_HIGH_PITCH if shift > 8 else RATIO_LIMITS[1]
    # Prior: formants scale roughly with F0^0.2 across speakers (male->female F0 x2.2 gives
    # formants x1.17). The spectrum search only fine-tunes within +-8 % of it: alone, it picked
    # 0.91 for a female espeak reference against Piper joe (different synthesisers' spectra).
    prior = (reference.median_hz / source.median_hz) ** PRIOR_EXPONENT
    found = _best_warp(
        source.ltas_db, reference.ltas_db, prior / PRIOR_WINDOW, prior * PRIOR_WINDOW
    )
    ratio = float(np.clip(found, RATIO_LIMITS[0], high))
    ratio = float(np.exp(strength * np.log(ratio)))
    range_factor = float(np.clip(reference.spread_st / source.spread_st, *RANGE_LIMITS))
    warped = _warp(source.ltas_db, ratio)
    diff = _smooth(reference.ltas_db, 300) - _smooth(warped, 300)
    diff -= diff[_FIT_BAND].mean()
    eq = np.clip(0.5 * diff, -EQ_LIMIT_DB, EQ_LIMIT_DB) * strength
    return MatchPlan(
        source.median_hz, float(source.median_hz * 2 ** (shift / 12)), shift, ratio, range_factor,
        eq, strength,
    )  # fmt: skip


def render(
    samples: np.ndarray,
    sample_rate: int,
    *,
    plan: MatchPlan | None,
    prosody: Prosody,
) -> np.ndarray:
    """Apply matching (if any) and the emotion: one Change gender call, then EQ and level.

    Args:
        samples: the source voice's float mono audio.
        plan: from plan_match, or None for the built-in voice unmatched.
        prosody: the emotion's preset.
    Returns:
        float32 mono audio, loudness-normalised, emotion gain applied, peak-limited.
    """
    x = np.asarray(samples, dtype=np.float64)
    # Absolute target for matched speech: Praat measures each clip's own median and moves it
    # there, so every sentence lands on the reference's median whatever the tracker thinks of
    # the source. Unmatched speech is only shifted by the emotion, relative to itself.
    target = plan.target_median_hz * 2 ** (prosody.pitch_st / 12) if plan else 0.0
    relative = 0.0 if plan else prosody.pitch_st
    ratio = plan.formant_ratio if plan else 1.0
    range_factor = (plan.range_factor if plan else 1.0) * prosody.range_factor
    duration = 1.0 / prosody.rate
    moves = target > 0 or abs(relative) > 0.05 or abs(ratio - 1) > 1e-3
    if moves or abs(range_factor - 1) > 1e-3 or abs(duration - 1) > 1e-3:
        x = _change_gender(x, sample_rate, ratio, target, relative, range_factor, duration)
    curve = (plan.eq_db if plan else np.zeros_like(GRID_HZ)) + prosody.tilt_db * _tilt_shape()
    if np.any(np.abs(curve) > 0.01):
        x = _equalise(x, sample_rate, curve)
    x = _normalise(x, TARGET_RMS_DB + prosody.gain_db)
    return _limit(x, LIMIT_PEAK).astype(np.float32)


def _pitch_track(samples: np.ndarray, sample_rate: int, floor: float, ceiling: float) -> np.ndarray:
    import parselmouth

    with _praat_lock:
        sound = parselmouth.Sound(np.asarray(samples, dtype=np.float64), float(sample_rate))
        pitch = sound.to_pitch_ac(time_step=0.01, pitch_floor=floor, pitch_ceiling=ceiling)
        values = pitch.selected_array["frequency"]
    return np.nan_to_num(values)


def _change_gender(x, sample_rate, ratio, target_hz, relative_st, range_factor, duration):
    """One Praat "Change gender" call: formants, pitch median (absolute `target_hz`, or
    `relative_st` from the clip's own median), pitch range and duration together."""
    import parselmouth
    from parselmouth.praat import call

    floor, ceiling = 60.0, 400.0
    with _praat_lock:
        sound = parselmouth.Sound(x, float(sample_rate))
        new_median = float(np.clip(target_hz, *MEDIAN_LIMITS_HZ)) if target_hz > 0 else 0.0
        if not target_hz and abs(relative_st) > 0.05:
            # Same analysis as Change gender's own (autocorrelation, 0.8/floor step).
            pitch = sound.to_pitch_ac(
                time_step=0.8 / floor, pitch_floor=floor, pitch_ceiling=ceiling
            )
            voiced = pitch.selected_array["frequency"]
            voiced = voiced[voiced > 0]
            if len(voiced) >= 3:
                new_median = float(
                    np.clip(np.median(voiced) * 2 ** (relative_st / 12), *MEDIAN_LIMITS_HZ)
                )
        try:
            out = call(
                sound, "Change gender", floor, ceiling, ratio, new_median, range_factor, duration
            )
        except parselmouth.PraatError as err:
            # e.g. a clip with nothing voiced ("shh"): keep it rather than fail the request.
            logger.warning("Praat Change gender failed, keeping the clip unchanged: %s", err)
            return x
        return out.values[0].astype(np.float64)


def _ltas(samples: np.ndarray, sample_rate: int) -> np.ndarray:
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


def _smooth(curve: np.ndarray, width_hz: float) -> np.ndarray:
    width = max(1, int(round(width_hz / (GRID_HZ[1] - GRID_HZ[0]))))
    padded = np.pad(curve, width, mode="edge")
    return np.convolve(padded, np.ones(width) / width, mode="same")[width:-width]


def _warp(curve: np.ndarray, ratio: float) -> np.ndarray:
    """The spectrum after formants are scaled by `ratio` (a feature at f moves to ratio*f)."""
    return np.interp(GRID_HZ / ratio, GRID_HZ, curve)


def _best_warp(source_db: np.ndarray, reference_db: np.ndarray, low: float, high: float) -> float:
    """Ratio in [low, high] (within 0.80-1.25) whose warped source best matches the
    reference's shape in 150-6000 Hz, ignoring level and linear tilt."""
    ref = _smooth(reference_db, 200)[_FIT_BAND]
    src = _smooth(source_db, 200)
    basis = np.stack([np.ones(_FIT_BAND.sum()), GRID_HZ[_FIT_BAND] / 1000.0], axis=1)
    best, best_err = 1.0, np.inf
    low, high = max(low, 0.80), min(high, 1.25)
    for ratio in np.exp(np.linspace(np.log(low), np.log(max(high, low)), 21)):
        diff = ref - _warp(src, ratio)[_FIT_BAND]
        coef, *_ = np.linalg.lstsq(basis, diff, rcond=None)
        err = float(np.mean((diff - basis @ coef) ** 2))
        if err < best_err:
            best, best_err = float(ratio), err
    return best


def _tilt_shape() -> np.ndarray:
    """-0.5 below 250 Hz rising to +0.5 above 4 kHz (log-frequency): times tilt_db."""
    return np.clip(np.log2(GRID_HZ / 250.0) / 4.0, 0.0, 1.0) - 0.5


def _equalise(x: np.ndarray, sample_rate: int, curve_db: np.ndarray) -> np.ndarray:
    """Zero-phase EQ of a smooth curve: one FFT of the (padded) whole clip."""
    # A power-of-two length: numpy's FFT is slow (and memory-hungry) on prime-ish lengths.
    size = 1 << int(np.ceil(np.log2(len(x) + 4096)))
    spectrum = np.fft.rfft(x, n=size)
    freqs = np.fft.rfftfreq(size, 1.0 / sample_rate)
    gain = 10 ** (np.interp(freqs, GRID_HZ, curve_db) / 20)
    return np.fft.irfft(spectrum * gain, n=size)[: len(x)]


def _normalise(x: np.ndarray, target_db: float) -> np.ndarray:
    """Scale so the RMS of the active 20 ms frames is `target_db` dBFS."""
    frame = 441
    usable = len(x) // frame * frame
    if usable == 0:
        return x
    rms = np.sqrt(np.mean(x[:usable].reshape(-1, frame) ** 2, axis=1) + 1e-12)
    active = rms[rms > rms.max() * 0.03]
    level = float(np.sqrt(np.mean(active**2))) if len(active) else 0.0
    return x if level < 1e-6 else x * (10 ** (target_db / 20) / level)


def _limit(x: np.ndarray, threshold: float) -> np.ndarray:
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
