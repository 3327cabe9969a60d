"""Sample coaching before Generate: plain findings about a voice sample and a good/fair/poor badge.

Each finding is one sentence that says what is wrong and what to do. The checks: more than one
speaker (speaker-encoder embeddings across the sample), background noise (an SNR estimate), a
steady tone or music under the speech, too quiet, clipped. Thresholds are calibrated on the
LibriSpeech readings in shared/voices: none of those clean single-speaker samples gets a finding,
while two readers joined, noise 5 dB under the speech and a 440 Hz tone 20 dB under it all do
(bench/voice_match.py prints the margins).

Give it the sample as recorded (decoded, before any levelling): a levelled reference can no longer
tell that the recording was too quiet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from components.errors import EngineUnavailableError
from components.voice_match import encoder as speaker_encoder
from components.voice_match import features
from components.voice_match.encoder import SpeakerEncoder, WindowEmbeddings
from components.voice_match.sample_checks import SignalMeasures, measure

logger = logging.getLogger(__name__)

Badge = Literal["good", "fair", "poor"]
Severity = Literal["fair", "poor"]

MAX_ANALYSIS_S = 60.0
"""Only the first minute is analysed: a reference keeps at most 30 s, and it bounds the cost."""
SEGMENT_WINDOWS = 3
"""Speaker segments are 3 consecutive speech windows: 1.6 s of audio each, 1.2 s apart."""
SPLIT_BELOW_COSINE = 0.74
"""Two groups of segments whose voices are less alike than this are two speakers. Calibrated:
single readers (24 files, and 12 pairs of one reader's readings joined) split no lower than 0.80
when both groups are big enough to count; two readers joined (66 pairs, 6 s each) no higher than
0.68 (same sex included)."""
MIN_SEGMENTS_EACH = 2
"""Each speaker must fill >= 2 segments (about 3 s): one odd segment is noise, not a person."""
NOISE_FAIR_DB, NOISE_POOR_DB = 18.0, 12.0
"""Clean LibriSpeech estimates 23-65 dB; white noise 10 dB under the speech reads 14-16 dB, 5 dB
under it 9-12 dB."""
TONE_PERSISTENCE = 0.8
"""Clean readings: at most 0.05; a 440 Hz tone 20 dB under the speech: 0.99-1.0."""
MUSIC_TONAL_PAUSES = 0.5
"""Clean readings: at most 0.18 of their pauses hold a spectral line; music 15 dB under the speech
fills 0.96-1.0 of them."""
LOUD_TONE_DB = -15.0
QUIET_FAIR_DB, QUIET_POOR_DB = -40.0, -50.0
"""Active speech level in dBFS. The quietest clean reading (LibriSpeech 2414) is at -35 dBFS."""
CLIPPED_FAIR_RUNS, CLIPPED_POOR_RUNS = 5, 50

SENTENCES: dict[str, str] = {
    "several_speakers": "More than one voice seems to be in this sample: use a recording where "
    "only the person whose voice you want speaks.",
    "noise": "There is background noise under the voice: record again somewhere quieter, away "
    "from fans, traffic and other people.",
    "tone": "A steady tone or hum plays under the voice: switch off what makes it (a fan, a "
    "fridge, a charger) or move away from it, and record again.",
    "music": "Music seems to be playing under the voice: turn it off and record again.",
    "clipped": "The recording is distorted because it was too loud: move a little further from "
    "the microphone or turn its input level down, and record again.",
    "quiet": "The recording is very quiet: move closer to the microphone or turn its input level "
    "up, and record again.",
}
"""One plain sentence per finding, saying what to do. No user text is ever put into them."""


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    """One of SENTENCES' keys (stable, for the UI and tests)."""
    sentence: str
    severity: Severity


@dataclass(frozen=True, slots=True)
class Coaching:
    """What coaching found in one sample."""

    badge: Badge
    """'good' (no findings), 'fair' (only minor ones) or 'poor' (any serious one)."""
    findings: tuple[Finding, ...]
    measures: SignalMeasures
    speaker_split_cosine: float | None
    """How alike the two most different groups of the sample's segments sound (1.0 = one voice
    throughout); None when the sample is too short to split or the encoder is not installed."""
    smaller_group_segments: int | None
    """How many segments (SEGMENT_WINDOWS speech windows each) the smaller of those groups holds."""
    embedding: np.ndarray | None = field(default=None, repr=False)
    """The sample's speaker embedding (speech windows only), for scoring clips against it."""

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(finding.sentence for finding in self.findings)


def coach(samples: np.ndarray, rate: int, *, encoder: SpeakerEncoder | None = None) -> Coaching:
    """Check a voice sample and say, in plain sentences, what would make it better.

    Args:
        samples: mono float audio in [-1, 1], as recorded (before levelling).
        rate: its sample rate in Hz.
        encoder: the speaker encoder to use (default: the shared one, loaded on first use).
    Returns:
        A Coaching. Costs about 0.1 s per 10 s of sample on 2 cores, most of it the encoder.
    """
    x = features.mono(samples)[: int(MAX_ANALYSIS_S * rate)]
    measures = measure(x, rate)
    split, embedding = _speakers(x, rate, encoder or speaker_encoder.DEFAULT_ENCODER)
    findings = tuple(_findings(measures, split))
    return Coaching(
        badge=_badge(findings),
        findings=findings,
        measures=measures,
        speaker_split_cosine=None if split is None else split[0],
        smaller_group_segments=None if split is None else split[1],
        embedding=embedding,
    )


def speaker_split(windows: WindowEmbeddings) -> tuple[float, int] | None:
    """(cosine between the two most different voices, segments in the smaller group), or None.

    Speech windows are grouped into segments, the segments into two groups (spherical 2-means,
    started from the least alike pair). One speaker gives two groups that still sound alike.
    """
    vectors = windows.speech_vectors()
    count = len(vectors) // SEGMENT_WINDOWS
    if count < 2 * MIN_SEGMENTS_EACH:
        return None
    segments = np.stack([
        speaker_encoder.mean_embedding(vectors[i * SEGMENT_WINDOWS : (i + 1) * SEGMENT_WINDOWS])
        for i in range(count)
    ])  # fmt: skip
    first, second = np.unravel_index(np.argmin(segments @ segments.T), (count, count))
    centres = segments[[first, second]]
    for _ in range(10):
        labels = np.argmax(segments @ centres.T, axis=1)
        if labels.min() == labels.max():
            return 1.0, 0
        centres = np.stack([speaker_encoder.mean_embedding(segments[labels == k]) for k in (0, 1)])
    smaller = int(min(np.count_nonzero(labels == 0), np.count_nonzero(labels == 1)))
    return float(centres[0] @ centres[1]), smaller


def _speakers(x: np.ndarray, rate: int, encoder: SpeakerEncoder):
    """The speaker split and the sample's embedding; (None, None) when they cannot be had."""
    try:
        windows = encoder.embed_windows(x, rate)
    except speaker_encoder.AudioTooShortError:
        return None, None
    except EngineUnavailableError:
        logger.warning("speaker encoder unavailable: sample coaching skips the speaker check")
        return None, None
    return speaker_split(windows), windows.embedding()


def _findings(m: SignalMeasures, split: tuple[float, int] | None) -> list[Finding]:
    """The findings, most important first."""
    found = []
    if m.tone_persistence >= TONE_PERSISTENCE:
        found.append(_finding("tone", "poor" if m.tone_level_db >= LOUD_TONE_DB else "fair"))
    elif m.tonal_pauses >= MUSIC_TONAL_PAUSES:
        found.append(_finding("music", "fair"))
    # A tone or music fills the pauses, which reads as noise too: one cause, one sentence.
    if not found and m.snr_db < NOISE_FAIR_DB:
        found.append(_finding("noise", "poor" if m.snr_db < NOISE_POOR_DB else "fair"))
    if m.clipped_runs >= CLIPPED_FAIR_RUNS:
        found.append(_finding("clipped", "poor" if m.clipped_runs >= CLIPPED_POOR_RUNS else "fair"))
    if m.speech_level_db < QUIET_FAIR_DB:
        found.append(_finding("quiet", "poor" if m.speech_level_db < QUIET_POOR_DB else "fair"))
    # A tone, music or clipping weighs on quiet and loud passages differently, so one reader's
    # segments drift apart (down to 0.66, as low as two readers): the speaker check would cry wolf,
    # and the sample must be recorded again anyway.
    disturbed = any(f.code in ("tone", "music", "clipped") for f in found)
    if not disturbed and _two_voices(split):
        found.insert(0, _finding("several_speakers", "poor"))
    return found


def _two_voices(split: tuple[float, int] | None) -> bool:
    return split is not None and split[0] < SPLIT_BELOW_COSINE and split[1] >= MIN_SEGMENTS_EACH


def _finding(code: str, severity: Severity) -> Finding:
    return Finding(code, SENTENCES[code], severity)


def _badge(findings: tuple[Finding, ...]) -> Badge:
    if any(f.severity == "poor" for f in findings):
        return "poor"
    return "fair" if findings else "good"
