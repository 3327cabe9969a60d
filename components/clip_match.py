"""Voice match for every clip and coaching for every sample: the service's side of voice_match.

`components.voice_match` knows speaker embeddings; this module knows where the audio comes from:
a finished clip on disk (WAV from the offline engine, MP3 or WAV from ModelsLab), the prepared
reference it was made from, and the file a visitor just recorded or uploaded. It never raises
into a clone: a clip whose voice cannot be scored still reaches the visitor, with a sentence
saying why there is no score.

The reference's embedding is cached by the encoder, by the input's sha256: the same sample is used
for many clips (and by many visitors), embedding it is most of the cost of a score, and the offline
engine's search needs the same embedding first.

A multi-voice script is scored voice by voice (`score_voices`): each voice's own parts against its
own sample, the main voice first (its line keeps the single clip's form, `Voice match: NN% — ...`),
then `Voice match (Name): NN% — ...` for each other voice.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from components.audio.prepared import PreparedReference
from components.errors import EngineUnavailableError, VoiceCloneError
from components.reference.decode import decode
from components.voice_match import (
    DEFAULT_ENCODER,
    Coaching,
    SpeakerEncoder,
    VoiceMatch,
    coach,
)
from components.voice_match.encoder import AudioTooShortError
from components.voice_match.score import BAND_MEANINGS

log = logging.getLogger(__name__)

CLIP_EXCERPT_S = 30.0
"""Only a clip's first 30 s are scored: a long text's clip costs what a 30 s one does."""
SAMPLE_MAX_S = 600.0
"""Coaching decodes at most this much of an upload (it analyses the first minute)."""
ANALYSIS_RATE = 16000
NO_SAMPLE_LINE = "Voice match: not measured — no voice sample was available to compare."
UNSCORED_LINE = "Voice match: not measured — the speaker encoder is not available on this server."
TOO_SHORT_LINE = "Voice match: not measured — the clip is too short to compare voices."


@dataclass(frozen=True, slots=True)
class ClipMatch:
    """A clip's voice match, or why there is none; `line` goes into the details."""

    match: VoiceMatch | None
    line: str


@dataclass(frozen=True, slots=True)
class VoiceExcerpt:
    """Up to CLIP_EXCERPT_S of one voice's own parts in a multi-voice script (components.long_form)."""

    voice: str
    """The name the script uses for it; '' for the main voice (the request's own sample)."""
    samples: np.ndarray = field(repr=False)
    rate: int


def details_line(match: VoiceMatch, voice: str = "") -> str:
    """`Voice match: NN% — <band>, an estimate from a speaker encoder` (plus how to read it);
    `Voice match (Name): ...` for a script's other voice called Name."""
    return (
        f"{_label(voice)}: {match.percent}% — {BAND_MEANINGS[match.band]}, an estimate from a speaker "
        f"encoder (different people usually score below {round(100 * match.different_below)}%, "
        f"the same person {round(100 * match.same_from)}% or more)"
    )


def _label(voice: str) -> str:
    return f"Voice match ({voice})" if voice else "Voice match"


class VoiceMatcher:
    """Scores clips against their references and coaches samples; shared by all visitors."""

    def __init__(self, encoder: SpeakerEncoder | None = None):
        self.encoder = encoder or DEFAULT_ENCODER
        self._warmup: threading.Thread | None = None

    def start_warmup(self) -> None:
        """Load the encoder in a low-priority background thread (start-up does not wait)."""
        if self._warmup is not None or not self.encoder.is_available():
            return
        self._warmup = threading.Thread(target=self._warm, name="voice-match-warmup", daemon=True)
        self._warmup.start()

    def _warm(self) -> None:
        _lower_this_threads_priority()
        try:
            self.encoder.load()
            noise = np.random.default_rng(0).standard_normal(2 * ANALYSIS_RATE).astype(np.float32)
            self.encoder.embed(0.05 * noise, ANALYSIS_RATE)  # first runs are the slow ones
        except AudioTooShortError:
            pass
        except Exception:  # noqa: BLE001 - a failed warm-up must not kill the app
            log.exception("speaker encoder warm-up failed; it is retried on first use")

    def reference_embedding(self, reference: PreparedReference) -> np.ndarray:
        """The reference's speaker embedding, computed once per input (the encoder caches it by
        sha256, shared with the offline engine's search)."""
        return self.encoder.reference_embedding(reference)

    def score(self, clip_path: str | Path, reference: PreparedReference | None) -> ClipMatch:
        """How alike the clip's voice is to the reference's; never raises."""
        return self._score(lambda: read_excerpt(Path(clip_path), CLIP_EXCERPT_S), reference)

    def score_voices(
        self, excerpts: tuple[VoiceExcerpt, ...], references: Mapping[str, PreparedReference | None]
    ) -> tuple[ClipMatch, ...]:
        """Each voice of a script on its own parts against its own sample (`references[voice]`);
        never raises. The main voice ('') comes first, in the single clip's form; if it speaks no
        line, the first voice that does takes that line, and says whose lines it scored."""
        ordered = sorted(excerpts, key=lambda excerpt: excerpt.voice != "")
        matches = []
        for index, excerpt in enumerate(ordered):
            excerpt_s = excerpt.samples[: int(CLIP_EXCERPT_S * excerpt.rate)], excerpt.rate
            scored = self._score(lambda: excerpt_s, references.get(excerpt.voice), excerpt.voice if index else "")
            if not index and excerpt.voice:
                whose = f" — on {excerpt.voice}'s lines (your own voice speaks none)."
                scored = ClipMatch(scored.match, scored.line + whose)
            matches.append(scored)
        return tuple(matches)

    def _score(
        self, audio: Callable[[], tuple[np.ndarray, int]], reference: PreparedReference | None, voice: str = ""
    ) -> ClipMatch:
        if reference is None:
            return ClipMatch(None, _named(NO_SAMPLE_LINE, voice))
        try:
            samples, rate = audio()
            clip = self.encoder.embed(samples, rate)
            match = VoiceMatch.from_cosine(float(clip @ self.reference_embedding(reference)))
        except AudioTooShortError:
            return ClipMatch(None, _named(TOO_SHORT_LINE, voice))
        except EngineUnavailableError:
            return ClipMatch(None, _named(UNSCORED_LINE, voice))
        except Exception:  # noqa: BLE001 - a score must never cost the visitor their clip
            log.exception("voice match failed for a clip")
            return ClipMatch(None, _named(UNSCORED_LINE, voice))
        return ClipMatch(match, details_line(match, voice))

    def coach_file(self, path: str | Path) -> Coaching | None:
        """Coaching for a sample as recorded (before levelling); None when it cannot be decoded
        (the sample report already says what is wrong with it)."""
        path = Path(path)
        try:
            with path.open("rb") as handle:
                head = handle.read(1 << 16)
            decoded = decode(path, head, target_rate=ANALYSIS_RATE, max_duration_s=SAMPLE_MAX_S)
            return coach(decoded.samples, decoded.sample_rate, encoder=self.encoder)
        except VoiceCloneError:
            return None
        except Exception:  # noqa: BLE001 - coaching is advice; its failure must not block a sample
            log.exception("sample coaching failed")
            return None


def _named(line: str, voice: str) -> str:
    """A 'not measured' line, named for a script's other voice."""
    return line.replace("Voice match", _label(voice), 1)


def read_excerpt(path: Path, seconds: float) -> tuple[np.ndarray, int]:
    """The first `seconds` of a clip as mono float32 (libsndfile reads WAV and MP3)."""
    with sf.SoundFile(str(path)) as handle:
        rate = handle.samplerate
        block = handle.read(frames=int(seconds * rate), dtype="float32", always_2d=True)
    return block.mean(axis=1), rate


def _lower_this_threads_priority() -> None:
    """Linux nices threads one by one: the warm-up yields the cores to visitors' clips."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass
