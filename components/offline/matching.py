"""Offline voice matching (approximate, not cloning) and emotion prosody, in one Praat step.

The method and its clamps come from shared/reference/offline-engine.md, where it was measured
on 62 pairs: a long-term-spectrum warp search picks the formant ratio, Praat "Change gender"
moves pitch median/range, formants and duration at once, and a gentle half-strength EQ follows.
Everything here works on float32 mono arrays; parselmouth is imported inside functions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from components.offline import praat, spectrum
from components.offline.praat import MEDIAN_LIMITS_HZ
from components.offline.spectrum import GRID_HZ

logger = logging.getLogger(__name__)


RATIO_LIMITS = (0.84, 1.20)
RATIO_LIMIT_HIGH_PITCH = 1.15
"""Formant ratio cap when the pitch rises more than 8 semitones (keeps it natural)."""
PRIOR_EXPONENT = 0.2
PRIOR_WINDOW = 1.08
SHIFT_LIMIT_ST = 14.0
RANGE_LIMITS = (0.6, 1.6)
EQ_LIMIT_DB = 4.0
FULL_STRENGTH_VOICED_S = 5.0
"""The reference needs this much voiced speech for full-strength formant/EQ matching."""
MIN_VOICED_S = 1.5
"""Below this the reference's pitch cannot be trusted: the voice is left unmatched."""
ANALYSIS_LIMIT_S = 20.0
TARGET_RMS_DB = -20.0
LIMIT_PEAK = 0.89  # -1 dBFS



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
    f0 = praat.pitch_track(samples, sample_rate, 60.0, 700.0)
    voiced = f0[f0 > 0]
    if len(voiced) >= 10:
        semitones = 12 * np.log2(voiced)
        median = float(np.median(voiced))
        spread = float((np.percentile(semitones, 84) - np.percentile(semitones, 16)) / 2)
    else:
        median, spread = 0.0, 0.0
    return VoiceProfile(median, max(spread, 0.1), len(voiced) * 0.01, spectrum.ltas(samples, sample_rate))


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
    found = spectrum.best_warp(
        source.ltas_db, reference.ltas_db, prior / PRIOR_WINDOW, prior * PRIOR_WINDOW
    )
    ratio = float(np.clip(found, RATIO_LIMITS[0], high))
    ratio = float(np.exp(strength * np.log(ratio)))
    range_factor = float(np.clip(reference.spread_st / source.spread_st, *RANGE_LIMITS))
    warped = spectrum.warp(source.ltas_db, ratio)
    diff = spectrum.smooth(reference.ltas_db, 300) - spectrum.smooth(warped, 300)
    diff -= diff[spectrum.FIT_BAND].mean()
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
        x = praat.change_gender(x, sample_rate, ratio, target, relative, range_factor, duration)
    curve = (plan.eq_db if plan else np.zeros_like(GRID_HZ)) + prosody.tilt_db * spectrum.tilt_shape()
    if np.any(np.abs(curve) > 0.01):
        x = spectrum.equalise(x, sample_rate, curve)
    x = spectrum.normalise(x, TARGET_RMS_DB + prosody.gain_db)
    return spectrum.limit(x, LIMIT_PEAK).astype(np.float32)
