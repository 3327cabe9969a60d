"""The two Praat calls the offline engine makes: a pitch track, and "Change gender".

parselmouth is imported inside the functions (it is heavy and only needed once a clip is made), and
every call holds one lock: Praat keeps global state.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

logger = logging.getLogger(__name__)

MEDIAN_LIMITS_HZ = (70.0, 300.0)
"""The final pitch median always lands in this range (keeps the voice natural)."""
PRAAT_LOCK = threading.Lock()  # Praat keeps global state; one call at a time
SEED = 15
"""Change gender's overlap-add places unvoiced pulses at random: two calls with the same settings
differ by ~25 % RMS, enough to flip the closed-loop search's choice between close candidates.
Seeding Praat before each call makes every render repeatable, and every candidate of a search
is rendered with the same random numbers, so their scores differ by their settings alone."""


def pitch_track(samples: np.ndarray, sample_rate: int, floor: float, ceiling: float) -> np.ndarray:
    """F0 per 10 ms frame (0 where unvoiced), Praat's autocorrelation tracker."""
    import parselmouth

    with PRAAT_LOCK:
        sound = parselmouth.Sound(np.asarray(samples, dtype=np.float64), float(sample_rate))
        pitch = sound.to_pitch_ac(time_step=0.01, pitch_floor=floor, pitch_ceiling=ceiling)
        values = pitch.selected_array["frequency"]
    return np.nan_to_num(values)


def change_gender(x, sample_rate, ratio, target_hz, relative_st, range_factor, duration):
    """One Praat "Change gender" call: formants, pitch median (absolute `target_hz`, or
    `relative_st` from the clip's own median), pitch range and duration together."""
    import parselmouth
    from parselmouth.praat import call

    floor, ceiling = 60.0, 400.0
    with PRAAT_LOCK:
        parselmouth.praat.run(f"random_initializeWithSeedUnsafelyButPredictably ({SEED})")
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
