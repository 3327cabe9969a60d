"""Find the speech in a mono clip: trim the ends, shorten long pauses, pick the best <= 30 s window.

Everything works on 10 ms frame levels, with a threshold relative to the clip's own loud and quiet
levels: a fixed dBFS gate fails on quiet microphones and on noisy rooms alike. A clip is speech only
if its level moves like syllables do and a good share of it is voiced (periodic): that rejects digital
silence, steady tones and hiss with a clear "no speech" instead of a useless reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from components.audio.level import FRAME_S, frame_length

SILENT_DB = -70.0
"""A clip whose loud frames are below this is (near) digital silence."""
RANGE_DB = 40.0
"""Frames more than this below the clip's loud level are never speech."""
FLOOR_SHARE = 0.3
"""The threshold sits this share of the way from the noise floor up to the loud level."""
MIN_MODULATION_DB = 9.0
"""Speech rises and falls with syllables; steady noise or a tone moves much less than this."""
MIN_VOICED_SHARE = 0.2
"""At least this share of the loud frames must be periodic (vowels) for the clip to count as speech."""
MIN_GAP_S = 0.15
"""Shorter dips (stop consonants, breaths inside a phrase) are not pauses."""
MIN_BURST_S = 0.05
"""Shorter loud bits (clicks, pops) are not speech."""
EDGE_PAD_S = 0.12
"""Silence kept before the first and after the last word, so onsets and decays are not clipped."""
MAX_PAUSE_S = 0.5
"""Pauses inside the speech are shortened to this."""
MIN_CUT_S = 0.1
"""A pause is only shortened if that removes at least this much."""
SPLIT_RUN_S = 8.0
"""Speech that runs longer than this without a pause gets cut points at its quietest moments."""


@dataclass(frozen=True, slots=True)
class SpeechPlan:
    """Which parts of the clip to keep, in samples of the decoded clip."""

    pieces: tuple[tuple[int, int], ...]
    """(start, end) sample ranges, joined in order to make the reference."""
    lead_trimmed_s: float
    tail_trimmed_s: float
    pauses_shortened: int
    pause_time_removed_s: float
    window: tuple[float, float] | None = None
    """(start, end) seconds of the original clip kept when the speech was longer than the limit."""
    window_cut_at_pause: bool = True
    speech_total_s: float = 0.0
    """Length of all the speech found (after trimming and shortening), before any window cut."""

    def kept_samples(self) -> int:
        return sum(end - start for start, end in self.pieces)


class NoSpeech(Exception):
    """The clip holds no speech; `reason` says what it seems to be instead."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def detect_speech(samples: np.ndarray, rate: int, levels: np.ndarray) -> np.ndarray:
    """Boolean speech mask per frame. Raises NoSpeech for silence, steady noise or a tone."""
    if len(levels) == 0:
        raise NoSpeech("empty")
    loud = float(np.percentile(levels, 95))
    floor = float(np.percentile(levels, 10))
    if loud < SILENT_DB:
        raise NoSpeech("silent")
    threshold = max(loud - RANGE_DB, floor + FLOOR_SHARE * (loud - floor))
    mask = levels > threshold
    mask = _fill_short_runs(mask, False, int(MIN_GAP_S / FRAME_S))
    mask = _fill_short_runs(mask, True, int(MIN_BURST_S / FRAME_S))
    if not mask.any():
        raise NoSpeech("silent")
    active = levels[mask]
    if float(np.percentile(active, 95) - min(floor, np.percentile(active, 10))) < MIN_MODULATION_DB:
        raise NoSpeech("steady")
    if voiced_share(samples, rate, np.flatnonzero(mask)) < MIN_VOICED_SHARE:
        raise NoSpeech("noise")
    return mask


def voiced_share(samples: np.ndarray, rate: int, frames: np.ndarray, count: int = 300) -> float:
    """Share of (up to `count`, evenly spread) speech frames that are periodic at 70–400 Hz."""
    win = int(0.04 * rate)
    if win < 8 or len(samples) < win:  # an absurd rate (a forged header) or too little audio to judge
        return 0.0
    hop = frame_length(rate)
    picks = frames[np.linspace(0, len(frames) - 1, min(count, len(frames))).astype(int)]
    starts = np.clip(picks * hop - win // 2, 0, max(0, len(samples) - win))
    segs = samples[starts[:, None] + np.arange(win)[None, :]].astype(np.float32)
    segs -= segs.mean(axis=1, keepdims=True)
    segs *= np.hanning(win).astype(np.float32)
    nfft = 1 << (2 * win - 1).bit_length()
    spec = np.fft.rfft(segs, nfft, axis=1)
    ac = np.fft.irfft(spec.real**2 + spec.imag**2, nfft, axis=1)[:, :win]
    # unbiased normalisation, so long lags are not penalised by the window's taper
    taper = np.correlate(np.hanning(win), np.hanning(win), "full")[win - 1 :]
    ac = ac / np.maximum(taper[None, :], 1e-3 * taper[0]) * taper[0]
    energy = ac[:, 0] + 1e-12
    lo, hi = int(rate / 400), min(win - 1, int(rate / 70))
    peak = ac[:, lo:hi].max(axis=1) / energy
    return float(np.mean(peak > 0.5))


def _fill_short_runs(mask: np.ndarray, value: bool, max_len: int) -> np.ndarray:
    """Flip interior runs of `value` shorter than max_len frames (edges stay as they are)."""
    out = mask.copy()
    starts, ends = _runs(mask == value)
    for start, end in zip(starts, ends):
        if end - start < max_len and start > 0 and end < len(mask):
            out[start:end] = not value
    return out


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the True runs."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return edges[0::2], edges[1::2]


def plan_speech(levels: np.ndarray, mask: np.ndarray, rate: int, max_s: float) -> SpeechPlan:
    """Trim, shorten pauses and (if needed) choose the best window of at most max_s seconds."""
    starts, ends = _runs(mask)
    starts, ends, real_gap = _split_long_runs(starts, ends, levels)
    pad, half_pause = int(EDGE_PAD_S / FRAME_S), int(MAX_PAUSE_S / FRAME_S / 2)
    gaps = starts[1:] - ends[:-1]
    removed = gaps - 2 * half_pause
    removed[removed < int(MIN_CUT_S / FRAME_S)] = 0  # not worth a splice
    first, last = 0, len(starts) - 1
    total = _window_frames(starts, ends, removed, first, last, pad)
    window = None
    cut_at_pause = True
    if total * FRAME_S > max_s:
        first, last = _best_window(starts, ends, removed, levels, mask, pad, int(max_s / FRAME_S))
        lead_pad_start = max(0, starts[first] - pad)
        window = (
            float(lead_pad_start * FRAME_S),
            float(min(len(levels), ends[last] + pad) * FRAME_S),
        )
        cut_at_pause = bool(
            (first == 0 or real_gap[first - 1]) and (last == len(starts) - 1 or real_gap[last])
        )
    hop = frame_length(rate)
    pieces = _pieces(
        starts[first : last + 1],
        ends[first : last + 1],
        removed[first:last],
        pad,
        half_pause,
        len(levels),
    )
    inner = removed[first:last]
    return SpeechPlan(
        pieces=tuple((a * hop, b * hop) for a, b in pieces),
        lead_trimmed_s=max(0, starts[0] - pad) * FRAME_S,
        tail_trimmed_s=max(0, len(levels) - ends[-1] - pad) * FRAME_S,
        pauses_shortened=int(np.count_nonzero(inner)),
        pause_time_removed_s=float(inner.sum()) * FRAME_S,
        window=window,
        window_cut_at_pause=cut_at_pause,
        speech_total_s=total * FRAME_S,
    )


def _split_long_runs(starts, ends, levels):
    """Give pause-free stretches cut points at their quietest frame every few seconds.

    Returns new starts/ends and, per boundary between consecutive runs, whether it is a real pause.
    """
    new_starts, new_ends, real = [], [], []
    step = int(SPLIT_RUN_S / 2 / FRAME_S)
    for start, end in zip(starts.tolist(), ends.tolist()):
        cuts = []
        if end - start > SPLIT_RUN_S / FRAME_S:
            smooth = np.convolve(levels[start:end], np.ones(5) / 5, mode="same")
            for block in range(step, end - start - step // 2, step):
                lo = block - step // 2
                cuts.append(start + lo + int(np.argmin(smooth[lo : block + step // 2])))
        bounds = [start, *cuts, end]
        for a, b in zip(bounds[:-1], bounds[1:]):
            if new_ends:
                real.append(a > new_ends[-1])
            new_starts.append(a)
            new_ends.append(b)
    return np.array(new_starts), np.array(new_ends), np.array(real, dtype=bool)


def _window_frames(starts, ends, removed, first: int, last: int, pad: int) -> int:
    """Frames of the condensed reference made from runs first..last (pads included)."""
    return int(ends[last] - starts[first] - removed[first:last].sum() + 2 * pad)


def _best_window(starts, ends, removed, levels, mask, pad: int, limit: int) -> tuple[int, int]:
    """The run range fitting in `limit` frames with the loudest, steadiest speech.

    Windows shorter than 90 % of the longest possible one are not considered, so the choice never
    trades away much length for a slightly louder passage.
    """
    weight = mask.astype(np.float64)
    lv = np.where(mask, levels, 0).astype(np.float64)
    c_n = np.concatenate([[0], np.cumsum(weight)])
    c_s = np.concatenate([[0], np.cumsum(lv)])
    c_q = np.concatenate([[0], np.cumsum(lv * lv)])
    c_removed = np.concatenate([[0], np.cumsum(removed)])
    candidates = []
    last = 0
    for first in range(len(starts)):
        last = max(last, first)
        while (
            last + 1 < len(starts)
            and (
                ends[last + 1] - starts[first] - (c_removed[last + 1] - c_removed[first]) + 2 * pad
            )
            <= limit
        ):
            last += 1
        length = ends[last] - starts[first] - (c_removed[last] - c_removed[first]) + 2 * pad
        a, b = starts[first], ends[last]
        n = max(1.0, c_n[b] - c_n[a])
        mean = (c_s[b] - c_s[a]) / n
        spread = np.sqrt(max(0.0, (c_q[b] - c_q[a]) / n - mean * mean))
        candidates.append((min(length, limit), mean - 0.5 * spread, first, last))
    longest = max(c[0] for c in candidates)
    good = [c for c in candidates if c[0] >= 0.9 * longest]
    _, _, first, last = max(good, key=lambda c: c[1])
    return first, last


def _pieces(
    starts, ends, removed, pad: int, half_pause: int, n_frames: int
) -> list[tuple[int, int]]:
    """Frame ranges to keep: runs joined across the pauses that stay, split at the ones shortened.

    A shortened pause keeps half_pause frames after the run before it and before the run after it.
    """
    pieces = [[max(0, int(starts[0]) - pad), 0]]
    for i in range(len(starts) - 1):
        if removed[i] > 0:
            pieces[-1][1] = int(ends[i]) + half_pause
            pieces.append([int(starts[i + 1]) - half_pause, 0])
    pieces[-1][1] = min(n_frames, int(ends[-1]) + pad)
    return [(a, b) for a, b in pieces]
