"""The voice-match score: cosine similarity of two speaker embeddings, a percentage and a band.

Mapping: `percent = round(100 * max(0, cosine))`, the encoder's own cosine shown as a percentage,
with nothing stretched or squashed. It is not a probability: the bands say how to read it. They
were measured with this encoder on the LibriSpeech readings in shared/voices
(bench/voice_match.py prints the figures):

- 24 same-speaker pairs (12 pairs of different readings by the same reader, 12 halves of one
  reading): mean 0.90, 5th percentile 0.80, lowest 0.72 (a 2.9 s reading with 2.3 s of speech);
- 120 different-speaker pairs (16 readers): mean 0.38, 95th percentile 0.66, highest 0.72;
  57 same-sex pairs: mean 0.46, 95th percentile 0.66.

So "different people" is below 0.66, "the same person" from 0.80, and between them the encoder
cannot tell ("borderline"); the band is decided on the rounded percent people see. Each
reader's pairs come from one recording session, the friendliest case: across microphones and
rooms the same person will likely score lower (not measured here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from components.voice_match import encoder as speaker_encoder

Band = Literal["different people", "borderline", "same person"]

DIFFERENT_PEOPLE_BELOW = 0.66
"""95th percentile of different-speaker cosines on shared/voices (0.657, n=120)."""
SAME_PERSON_FROM = 0.80
"""5th percentile of same-speaker cosines on shared/voices (0.798, n=24)."""
BAND_MEANINGS: dict[str, str] = {
    "different people": "sounds like someone else",
    "borderline": "borderline",
    "same person": "sounds like the same person",
}


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two speaker embeddings, in [-1, 1] (1: the same direction).

    Args:
        a, b: embeddings of equal length (from encoder.embed; normalised again here, so any
            non-zero vectors will do).
    Raises:
        ValueError: the shapes differ or a vector is zero or not finite.
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"embeddings differ in size: {a.shape} vs {b.shape}")
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if not np.isfinite(norms) or norms == 0:
        raise ValueError("an embedding is zero or not finite")
    return float(np.clip(a @ b / norms, -1.0, 1.0))


def band_of(percent: int) -> Band:
    """The band of a shown percentage (decided on the percent people see, so that 66% is never
    called "below 66%")."""
    if percent >= round(100 * SAME_PERSON_FROM):
        return "same person"
    if percent < round(100 * DIFFERENT_PEOPLE_BELOW):
        return "different people"
    return "borderline"


@dataclass(frozen=True, slots=True)
class VoiceMatch:
    """How alike a clip's voice is to the reference voice, as a speaker encoder estimates it."""

    cosine: float
    """Cosine similarity of the two embeddings, in [-1, 1]."""
    percent: int
    """round(100 * max(0, cosine)): what `Voice match: NN%` shows."""
    band: Band
    different_below: float = DIFFERENT_PEOPLE_BELOW
    """Different people usually score below this cosine (the calibration used)."""
    same_from: float = SAME_PERSON_FROM
    """The same person usually scores at least this cosine."""

    @classmethod
    def from_cosine(cls, cosine: float) -> VoiceMatch:
        cosine = float(np.clip(cosine, -1.0, 1.0))
        percent = round(100 * max(0.0, cosine))
        return cls(cosine, percent, band_of(percent))

    def details_line(self) -> str:
        """One markdown-safe line for the details panel (and the API's details text)."""
        return (
            f"Voice match: {self.percent}% ({BAND_MEANINGS[self.band]}; a speaker-encoder "
            f"estimate: different people usually score below {round(100 * self.different_below)}%, "
            f"the same person {round(100 * self.same_from)}% or more)"
        )

    def description(self) -> str:
        """A plain sentence for screen readers and tooltips."""
        return (
            f"Voice match {self.percent}%: {BAND_MEANINGS[self.band]}. Different people usually "
            f"score below {round(100 * self.different_below)}%, the same person "
            f"{round(100 * self.same_from)}% or more. An estimate from a speaker encoder."
        )


def voice_match(clip_embedding: np.ndarray, reference_embedding: np.ndarray) -> VoiceMatch:
    """Score a clip's embedding against the reference's (both from encoder.embed)."""
    return VoiceMatch.from_cosine(similarity(clip_embedding, reference_embedding))


def score_clip(
    samples: np.ndarray,
    rate: int,
    reference_embedding: np.ndarray,
    *,
    encoder: speaker_encoder.SpeakerEncoder | None = None,
) -> VoiceMatch:
    """Embed a generated clip and score it against a reference embedding (compute that once per
    reference and keep it). About 0.1 s for a 10 s clip on 2 cores once the model is loaded.

    Raises:
        encoder.AudioTooShortError: the clip is shorter than 0.5 s.
        EngineUnavailableError: the speaker encoder is not installed.
    """
    clip = (encoder or speaker_encoder.DEFAULT_ENCODER).embed(samples, rate)
    return voice_match(clip, reference_embedding)
