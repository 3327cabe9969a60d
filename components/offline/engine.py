"""Offline speech engine: built-in voices for 16 languages, matched to a reference, in 5 emotions.

English uses Piper's neural joe voice, the other 15 languages espeak-ng. The output is moved
toward the reference voice (pitch median/range, formant ratio, gentle EQ): offline voice
matching, approximate, not cloning. Models load once, lazily, behind a lock, and are shared
by all visitors; heavy imports live inside functions so importing this module is cheap.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import wave
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from components.audio.prepared import PreparedReference
from components.errors import AudioInputError, EngineUnavailableError, InputError
from components.offline import closed_loop, matching
from components.offline import text as text_tools
from components.offline.voices import (
    ESPEAK_VOICES,
    SAMPLE_RATE,
    Espeak,
    PiperJoe,
    VoiceKey,
    missing_parts,
)
from components.settings import EMOTIONS, LANGUAGES

logger = logging.getLogger(__name__)

FEMALE_SOURCE_ABOVE_HZ = 160.0
"""espeak-ng languages switch to a female variant for references pitched above this."""
ESPEAK_FEMALE_VARIANT = "f3"
SENTENCE_PAUSE_S = 0.22
"""Silence appended to every chunk but the last, so sentences do not run together."""
CACHE_SIZE = 64
WARMUP_NICENESS = 10
"""The background warm-up yields the CPU to the web server and browsers loading the first page."""


def _lower_this_threads_priority() -> None:
    """Linux schedules threads one by one: a niced warm-up thread slows nothing a visitor waits for."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WARMUP_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not allowed: warm up at normal priority
        pass


@dataclass(frozen=True, slots=True)
class SpeechChunk:
    """One synthesised piece (usually a sentence), already voice-matched and emotion-shaped."""

    samples: np.ndarray = field(repr=False)
    """float32 mono in [-1, 1]."""
    sample_rate: int
    text: str
    index: int = 0
    """Position of this chunk in the text (0-based)."""
    total: int = 1
    """How many chunks the text was split into (for progress)."""


class LocalEngine:
    """Loads lazily, once, behind a lock; shared by all visitors; safe to call from 2 threads."""

    def __init__(self, *, aim: bool = True) -> None:
        self.aim = aim
        """Search the match plan with a speaker encoder in the loop (closed_loop); False: open loop."""
        self._excerpts: dict[tuple[VoiceKey, str], np.ndarray] = {}
        self._load_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._piper: PiperJoe | None = None
        self._espeak: Espeak | None = None
        self._warmup: threading.Thread | None = None
        self._references: OrderedDict[str, matching.VoiceProfile] = OrderedDict()
        self._sources: dict[tuple[VoiceKey, str], matching.VoiceProfile] = {}
        self._plans: OrderedDict[tuple[str, VoiceKey], matching.MatchPlan | None] = OrderedDict()

    # --- lifecycle -------------------------------------------------------------------------

    def is_available(self) -> bool:
        """True when every package the engine needs is installed (imports nothing heavy)."""
        return not missing_parts()

    def start_warmup(self) -> None:
        """Load the models in a background thread so the first visitor does not wait."""
        with self._load_lock:
            if self._warmup is not None or not self.is_available():
                return
            self._warmup = threading.Thread(target=self._warm, name="offline-warmup", daemon=True)
            self._warmup.start()

    def is_loaded(self) -> bool:
        """True once the voices are loaded and a background warm-up, if any, has finished.

        The warm-up also calibrates the English source voice (about 2 s): a clip started before
        that would wait for it, so the page keeps saying "loading" until then.
        """
        warming = self._warmup is not None and self._warmup.is_alive()
        return self._piper is not None and self._espeak is not None and not warming

    def _warm(self) -> None:
        _lower_this_threads_priority()
        try:
            # A dry run: onnxruntime's and Praat's first calls are slower than later ones.
            for _ in self.synthesize("Ready.", language="english", emotion="happy", reference=None):
                pass
            self._source_profile(PiperJoe.key, "english")
        except Exception:  # noqa: BLE001 - a failed warm-up must not kill the app
            logger.exception("offline engine warm-up failed; it is retried on first use")

    def _voices(self) -> tuple[PiperJoe, Espeak]:
        if self._piper is not None and self._espeak is not None:
            return self._piper, self._espeak
        with self._load_lock:
            missing = missing_parts()
            if missing:
                raise EngineUnavailableError(
                    "The offline engine is not installed here (missing: "
                    + ", ".join(missing)
                    + "). Install requirements.txt, or use ModelsLab with an API key."
                )
            try:
                if self._espeak is None:
                    self._espeak = Espeak.shared()
                if self._piper is None:
                    self._piper = PiperJoe()
            except (OSError, RuntimeError, ImportError) as err:
                raise EngineUnavailableError(
                    "The offline engine could not load its voices on this machine. "
                    "Use ModelsLab with an API key, or reinstall requirements.txt."
                ) from err
            return self._piper, self._espeak

    # --- public API --------------------------------------------------------------------------

    def voice_note(self, reference: PreparedReference | None, language: str) -> str:
        """A short markdown-safe sentence saying what was done to the voice."""
        language = _check_language(language)
        if reference is None:
            return "Built-in offline voice (no reference given, not matched)."
        ref = self._reference_profile(reference)
        key = self._source_key(language, ref)
        plan = self._plan(reference, ref, key, language)
        if plan is None:
            return (
                "Built-in offline voice, not matched: the reference has too little voiced "
                f"speech ({ref.voiced_s:.1f} s) to measure."
            )
        note = (
            "Offline voice matching (approximate, not cloning): pitch moved from "
            f"{plan.source_median_hz:.0f} Hz to {plan.target_median_hz:.0f} Hz, "
            f"formants ×{plan.formant_ratio:.2f}"
        )
        if plan.strength < 1:
            note += f", at reduced strength (only {ref.voiced_s:.1f} s of voiced speech)"
        return note + "."

    def synthesize(
        self, text: str, *, language: str, emotion: str, reference: PreparedReference | None
    ) -> Iterator[SpeechChunk]:
        """Speak `text` sentence by sentence; each chunk is yielded as soon as it is ready.

        Args:
            text: what to say (any length; split into sentences, the first kept short).
            language: one of settings.LANGUAGES.
            emotion: one of settings.EMOTIONS.
            reference: the prepared reference to match, or None for the built-in voice.
        Returns:
            An iterator of SpeechChunk (22.05 kHz float32). Input is checked before it starts.
        Raises:
            InputError: empty text, unknown language or emotion.
            AudioInputError: the reference's WAV bytes cannot be read.
            EngineUnavailableError: the voices cannot be loaded on this machine.
        """
        language = _check_language(language)
        if emotion not in EMOTIONS:
            raise InputError(f"Unknown emotion {emotion!r}; choose one of {', '.join(EMOTIONS)}.")
        chunks = text_tools.split_chunks(text or "")
        if not chunks:
            raise InputError("There is no text to speak: type what the voice should say.")
        piper, espeak = self._voices()
        plan, key = None, self._source_key(language, None)
        if reference is not None:
            ref = self._reference_profile(reference)
            key = self._source_key(language, ref)
            plan = self._plan(reference, ref, key, language)
        prosody = matching.EMOTION_PROSODY[emotion]

        def generate() -> Iterator[SpeechChunk]:
            for index, chunk in enumerate(chunks):
                spoken = text_tools.speakable(chunk, language)
                if key.kind == "piper":
                    raw = piper.synthesize(spoken)
                else:
                    raw = espeak.synthesize(spoken, key.name)
                out = matching.render(raw, SAMPLE_RATE, plan=plan, prosody=prosody)
                if index < len(chunks) - 1:
                    out = np.concatenate(
                        [out, np.zeros(int(SENTENCE_PAUSE_S * SAMPLE_RATE), np.float32)]
                    )
                yield SpeechChunk(out, SAMPLE_RATE, chunk, index, len(chunks))

        return generate()

    # --- voices, profiles and plans (cached) -----------------------------------------------

    def _source_key(self, language: str, ref: matching.VoiceProfile | None) -> VoiceKey:
        """Piper joe for English; espeak-ng for the rest, a female variant for high references."""
        if language == "english":
            return PiperJoe.key
        base = ESPEAK_VOICES[language]
        if ref is not None and ref.median_hz > FEMALE_SOURCE_ABOVE_HZ and ref.voiced_s >= 1.5:
            return VoiceKey("espeak", f"{base}+{ESPEAK_FEMALE_VARIANT}")
        return VoiceKey("espeak", base)

    def _source_profile(self, key: VoiceKey, language: str) -> matching.VoiceProfile:
        """Calibrate a source voice once on its language's sample sentence (said twice)."""
        with self._cache_lock:
            cached = self._sources.get((key, language))
        if cached is not None:
            return cached
        piper, espeak = self._voices()
        own = text_tools.speakable(text_tools.SAMPLE_SENTENCES[language], language)
        if key.kind == "piper":
            audio = piper.synthesize(f"{text_tools.CALIBRATION_TEXT} {own}")
        else:
            # espeak-ng reads the English passage with the language's rules: still the voice.
            audio = espeak.synthesize(f"{own} {text_tools.CALIBRATION_TEXT} {own}", key.name)
        profile = matching.profile_of(audio, SAMPLE_RATE)
        with self._cache_lock:
            self._sources[(key, language)] = profile
            self._excerpts[(key, language)] = audio[: int(closed_loop.EQ_MEASURE_S * SAMPLE_RATE)]
        return profile

    def _reference_profile(self, reference: PreparedReference) -> matching.VoiceProfile:
        with self._cache_lock:
            cached = self._references.get(reference.sha256)
            if cached is not None:
                self._references.move_to_end(reference.sha256)
                return cached
        samples, rate = _decode_wav(reference.wav_bytes)
        profile = matching.profile_of(samples, rate)
        with self._cache_lock:
            _remember(self._references, reference.sha256, profile)
        return profile

    def _plan(self, reference: PreparedReference, ref: matching.VoiceProfile, key: VoiceKey, language: str):
        sha = reference.sha256
        with self._cache_lock:
            if (sha, key) in self._plans:
                return self._plans[(sha, key)]
        plan = matching.plan_match(self._source_profile(key, language), ref)
        if plan is not None and self.aim:
            excerpt = self._excerpts[(key, language)]
            plan = closed_loop.improve(plan, excerpt, SAMPLE_RATE, ref, reference)
        with self._cache_lock:
            _remember(self._plans, (sha, key), plan)
        return plan


def _remember(cache: OrderedDict, key, value) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)


def _check_language(language: str) -> str:
    name = (language or "").strip().lower()
    if name not in LANGUAGES:
        raise InputError(f"Unknown language {language!r}; choose one of {', '.join(LANGUAGES)}.")
    return name


def _decode_wav(data: bytes) -> tuple[np.ndarray, int]:
    """The PreparedReference's 16-bit mono WAV -> float samples, rate."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as err:
        raise AudioInputError(
            "The reference recording could not be read for offline voice matching; "
            "please record or upload it again."
        ) from err
    if width != 2 or channels < 1 or not frames:
        raise AudioInputError(
            "The reference recording is not 16-bit PCM audio; please record or upload it again."
        )
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    return samples.reshape(-1, channels).mean(axis=1), rate
