"""One Backend protocol with ModelsLab and offline implementations, and choose() to pick one."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from components.audio.prepared import PreparedReference
from components.cpu_slots import CpuSlots
from components.errors import EngineUnavailableError, InputError
from components.modelslab.client import ModelsLabClient, PollUpdate, SubmitRequest
from components.output_files import OutputFiles, clip_file_name
from components.settings import Settings

log = logging.getLogger(__name__)

MODELSLAB = "ModelsLab"
OFFLINE = "offline"

# progress(fraction or None, description)
Progress = Callable[[float | None, str], None]


def no_progress(fraction: float | None, description: str) -> None:
    pass


@dataclass(frozen=True, slots=True)
class CloneRequest:
    """One generation as the person asked for it, already validated and prepared."""

    text: str
    language: str = "english"
    emotion: str = "neutral"
    reference: PreparedReference | None = None
    voice_id: str = ""
    api_key: str = field(default="", repr=False)
    """The key to spend (a visitor's own, or the server's); never logged."""
    tier: str = "enterprise"
    temp_links: bool = False
    reference_url: str = ""
    """The reference already stored at ModelsLab (base64_to_url): sent instead of its data URI."""


@dataclass(frozen=True, slots=True)
class CloneResult:
    """A finished clip on disk and what the details panel says about it."""

    audio_path: Path
    backend: str
    """'ModelsLab' or 'offline'."""
    job_id: str | None = None
    timings: tuple[tuple[str, float], ...] = ()
    """(step, seconds) in the order they happened."""
    notes: tuple[str, ...] = ()
    """Plain sentences about what the backend did (voice matching, tier, ...)."""
    parts: int = 1
    """How many parts the text was made in (long texts and scripts: components.long_form)."""
    downloads: tuple[Path, ...] = ()
    """Files offered for download besides the player's (the clip, its .srt subtitles)."""
    cues: tuple = ()
    """Each part's text and time span in the clip (components.stitch.Cue), for subtitles."""
    voice_audio: tuple = ()
    """A multi-voice script's audio per voice (components.long_form.VoiceExcerpt), each scored on its
    own against its own sample; empty when one voice speaks the whole clip (the clip itself is scored)."""


@dataclass(frozen=True, slots=True)
class PartialAudio:
    """One finished sentence, so a streaming player can start before the whole text is spoken."""

    audio_path: Path
    """A WAV holding just this sentence (or part)."""
    done_sentences: int
    total_parts: int = 0
    """With long texts: how many parts there are (done_sentences then counts parts), else 0."""


class Backend(Protocol):
    name: str

    def generate(self, request: CloneRequest, progress: Progress = no_progress) -> CloneResult: ...


class ModelsLabBackend:
    """Submit -> poll -> download against the ModelsLab API."""

    name = MODELSLAB

    def __init__(self, client: ModelsLabClient, outputs: OutputFiles):
        self.client = client
        self.outputs = outputs

    def generate(self, request: CloneRequest, progress: Progress = no_progress) -> CloneResult:
        if not request.api_key:
            raise InputError(
                "The ModelsLab backend needs an API key: enter yours under Advanced, "
                "or choose the offline backend."
            )
        if request.reference is None and not request.voice_id:
            raise InputError(
                "Record or upload a voice sample (4–30 s of speech), or enter a ModelsLab voice id."
            )
        started = time.monotonic()
        progress(0.05, "Sending to ModelsLab…")
        submit = SubmitRequest(
            prompt=request.text,
            language=request.language,
            emotion=request.emotion,
            init_audio=request.reference_url or (request.reference.data_uri() if request.reference else None),
            voice_id="" if request.reference else request.voice_id,
            temp=request.temp_links,
        )
        state = self.client.submit(submit, request.api_key, tier=request.tier)
        submitted = time.monotonic()
        log.info("ModelsLab job %s: %s", state.job_id, state.status)
        if state.status != "success":
            state = self.client.wait_for_result(
                state, request.api_key, tier=request.tier, on_update=_poll_reporter(progress)
            )
        finished = time.monotonic()
        progress(0.95, "Downloading the result…")
        name = clip_file_name(request.text, request.language, request.emotion)
        path = self.client.download(state, self.outputs.new_path(".wav", name))
        downloaded = time.monotonic()
        notes = [f"Tier: {request.tier} ({'v1 enterprise' if request.tier == 'enterprise' else 'v6 standard'} API)."]
        if request.reference is not None and request.voice_id:
            notes.append("Your recording was used; the voice id was ignored (the API prefers the recording).")
        elif request.reference is None:
            notes.append(f"Voice: ModelsLab voice id `{request.voice_id}`.")
        return CloneResult(
            audio_path=path,
            backend=MODELSLAB,
            job_id=state.job_id,
            timings=(
                ("submit", submitted - started),
                ("queue", finished - submitted),
                ("download", downloaded - finished),
            ),
            notes=tuple(notes),
        )


def _poll_reporter(progress: Progress) -> Callable[[PollUpdate], None]:
    def report(update: PollUpdate) -> None:
        eta = f" · about {update.eta_left_s:.0f} s left" if update.eta_left_s else ""
        job = f"job {update.job_id}" if update.job_id else "job"
        progress(None, f"ModelsLab is generating ({job}){eta} · checked {update.polls}× · {update.elapsed_s:.0f} s")

    return report


class LocalBackend:
    """The embedded offline engine: built-in voices moved toward the reference (approximate)."""

    name = OFFLINE

    def __init__(self, engine, outputs: OutputFiles, cpu_slots: int = 1):
        self.engine = engine
        self.outputs = outputs
        # Synthesis is CPU-bound: on 2 cores, one job at a time keeps the web server and the
        # network-bound ModelsLab jobs responsive; others wait here, told their place and the wait.
        self.slots = CpuSlots(cpu_slots)

    def stream(self, request: CloneRequest, progress: Progress = no_progress) -> Iterator[PartialAudio | CloneResult]:
        """Yield the clip so far after each sentence, then the finished CloneResult."""
        if not self.engine.is_available():
            raise EngineUnavailableError(
                "The offline engine is not installed on this server. Set a ModelsLab API key, "
                "or run the setup command from the README."
            )
        started = time.monotonic()
        with self.slots.hold(lambda words: progress(None, words)):
            progress(0.05, "Loading the offline voice…" if not self.engine.is_loaded() else "Speaking…")
            writer = self.outputs.wav_writer(clip_file_name(request.text, request.language, request.emotion))
            first_audio = None
            chunks = self.engine.synthesize(
                request.text, language=request.language, emotion=request.emotion, reference=request.reference
            )
            for count, chunk in enumerate(chunks, start=1):
                sentence_path = writer.append(chunk.samples, chunk.sample_rate)
                if first_audio is None:
                    first_audio = time.monotonic() - started
                progress(None, f"Spoke sentence {count}…")
                yield PartialAudio(sentence_path, count)
            path = writer.finish()
        notes = [self.engine.voice_note(request.reference, request.language)]
        if request.voice_id and request.reference is None:
            notes.append("ModelsLab voice ids are not available offline; the built-in voice was used.")
        yield CloneResult(
            audio_path=path,
            backend=OFFLINE,
            timings=(("first audio", first_audio or 0.0), ("total", time.monotonic() - started)),
            notes=tuple(notes),
        )

    def generate(self, request: CloneRequest, progress: Progress = no_progress) -> CloneResult:
        result = None
        for item in self.stream(request, progress):
            result = item
        assert isinstance(result, CloneResult)
        return result


def choose(settings: Settings, requested: str, visitor_key: str) -> tuple[str, str]:
    """Pick the backend name and the key to spend.

    An explicit `requested` backend wins; 'auto' defers to VOICE_BACKEND, and VOICE_BACKEND=auto
    means ModelsLab when any key is available, else offline. A visitor's key beats the server's.
    """
    requested = (requested or "auto").strip().lower()
    if requested not in ("auto", "modelslab", "local"):
        raise InputError(f"Unknown backend {requested!r}: use auto, modelslab or local.")
    key = visitor_key.strip() or settings.api_key
    name = requested if requested != "auto" else settings.voice_backend
    if name == "auto":
        name = "modelslab" if key else "local"
    return name, key
