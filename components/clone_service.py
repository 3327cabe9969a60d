"""One click, start to finish: validate the inputs, prepare the reference, pick a backend, run it.

No gradio here: ui.py wraps `CloneService.run()` and turns VoiceCloneError into gr.Error.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from components.audio.disclosure import tag_ai_generated
from components.backends import (
    MODELSLAB,
    Backend,
    CloneRequest,
    CloneResult,
    PartialAudio,
    Progress,
    choose,
    no_progress,
)
from components.clip_match import ClipMatch, VoiceMatcher
from components.details import render_details
from components.errors import InputError, VoiceCloneError
from components.key_budget import KeyBudget
from components.library import VoiceLibrary, accent_note
from components.long_form import LongForm, PartFailedError, Voice, VoiceDirectory
from components.long_form.library_voices import LibraryVoices
from components.long_form.planning import plan_clip, resolve_voices
from components.output_files import OutputFiles, other_format
from components.rate_limit import RateLimiter
from components.reference import PreparedReference, prepare
from components.secrets import register_secret
from components.settings import EMOTIONS, LANGUAGES, TIERS, Settings
from components.text_script import check_script

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VoiceSent:
    """The voice of one generation: what the backend is sent, and what its clip is scored against."""

    reference: PreparedReference | None
    voice_id: str
    notes: tuple[str, ...] = ()
    """Details lines about a library voice (which one, how it was sent, the accent hint)."""
    scored: PreparedReference | None = None
    """The sample the clip's voice match compares with: the one sent, or a saved voice's own sample
    when ModelsLab was sent its voice id instead."""


@dataclass(frozen=True, slots=True)
class CloneOutcome:
    """A finished generation plus what the details panel shows."""

    result: CloneResult
    reference: PreparedReference | None
    details: str
    match: ClipMatch | None = None
    """The clip's voice match against its reference (None only when no matcher is wired)."""


def normalise_choice(value: str | None, choices: tuple[str, ...], default: str, what: str) -> str:
    """Accept 'German', ' german ' or '' (-> default); reject anything else with the valid list."""
    cleaned = (value or "").strip().lower() or default
    if cleaned not in choices:
        raise InputError(f"Unknown {what} {value!r}. Choose one of: {', '.join(choices)}.")
    return cleaned


class CloneService:
    """Holds the injected backends; shared by all visitors, keeps no per-visitor state."""

    def __init__(
        self,
        settings: Settings,
        backends: Mapping[str, Backend],
        outputs: OutputFiles,
        *,
        prepare_reference: Callable[..., PreparedReference] = prepare,
        rate_limiter: RateLimiter | None = None,
        key_budget: KeyBudget | None = None,
        matcher: VoiceMatcher | None = None,
        library: VoiceLibrary | None = None,
        long_form: LongForm | None = None,
        voices: VoiceDirectory | None = None,
    ):
        self.settings = settings
        self.library = library or VoiceLibrary(
            account=None, target_rate=settings.target_rate, max_upload_mb=settings.max_upload_mb,
            prepare_reference=prepare_reference,
        )
        """Saved, example and account voices: `library.resolve(name_or_id, saved_voices, api_key)`."""
        self.backends = dict(backends)
        self.outputs = outputs
        self.prepare_reference = prepare_reference
        self.rate_limiter = rate_limiter or RateLimiter(settings.rate_limit_per_minute)
        self.key_budget = key_budget or KeyBudget(settings.server_key_max_per_hour)
        self.matcher = matcher or VoiceMatcher()
        self.long_form = long_form or LongForm(
            outputs, max_parallel=settings.modelslab_max_parallel, deadline_s=settings.job_deadline_s
        )
        self.voices = voices
        """Who a script's `Name:` lines may name; None: the voice library, with the visitor's saved voices."""

    def offline_engine_pending(self) -> bool:
        """True while the offline engine exists but has not finished loading."""
        local = self.backends.get("local")
        engine = getattr(local, "engine", None)
        return bool(engine and engine.is_available() and not engine.is_loaded())

    def check_reference(self, path: str | Path) -> PreparedReference:
        """Prepare (cached by content) so the UI can show the report before Generate."""
        return self.prepare_reference(
            path, target_rate=self.settings.target_rate, max_upload_mb=self.settings.max_upload_mb
        )

    def run(
        self,
        *,
        text: str,
        reference: str | Path | None,
        voice_id: str = "",
        language: str = "english",
        emotion: str = "neutral",
        backend: str = "auto",
        api_key: str = "",
        tier: str = "",
        temp_links: bool = False,
        visitor: str = "anonymous",
        progress: Progress = no_progress,
        saved_voices: object = None,
        live: bool = True,
    ) -> Iterator[PartialAudio | CloneOutcome]:
        """Yield each part's audio in text order as soon as it is final (not with live=False), then a
        CloneOutcome. `saved_voices`: the visitor's, from their browser (voice_to_send, script names)."""
        started = time.monotonic()
        text = (text or "").strip()
        if not text:
            raise InputError("Type the text the voice should say (the text box is empty).")
        if len(text) > self.settings.max_text_chars:
            raise InputError(
                f"The text is {len(text)} characters; the limit is {self.settings.max_text_chars}. "
                "Shorten it, or split it into several clips."
            )
        language = normalise_choice(language, LANGUAGES, "english", "language")
        check_script(text, language)
        emotion = normalise_choice(emotion, EMOTIONS, "neutral", "emotion")
        tier = normalise_choice(tier, TIERS, self.settings.tier, "API tier")
        voice_id = (voice_id or "").strip()
        register_secret(api_key or "")
        name, key = choose(self.settings, backend, api_key or "")
        if name not in self.backends:
            raise InputError(f"The {name} backend is not available on this server. Choose another backend.")

        chosen = self.backends[name]
        plan, voice, voices = self._plan_and_voices(
            text, language, emotion, chosen, key, reference, voice_id, saved_voices, progress
        )
        prepared_at = time.monotonic()
        # Counted only once the inputs are good: fixing a too-short recording must not use up the limit.
        self.rate_limiter.check(visitor)
        request = CloneRequest(
            text=text, language=language, emotion=emotion, reference=voice.reference, voice_id=voice.voice_id,
            api_key=key, tier=tier, temp_links=bool(temp_links),
        )
        ahead = [v.match_reference for v in voices.values() if v.match_reference is not None]
        if ahead and len(plan.parts) > 1 and chosen.name == MODELSLAB:
            # The voice match's half that needs no clip, done while waiting for ModelsLab (offline the
            # CPU is busy speaking: there it would only delay the first part).
            threading.Thread(target=self._embed_quietly, args=(ahead,), daemon=True).start()
        with self.server_key_spend(name, key, parts=len(plan.parts)):
            for item in disclosed(self.long_form.run(plan, voices, request, chosen, progress, live=live), chosen.name):
                if isinstance(item, PartialAudio):
                    yield item
                    continue
                yield self._outcome(item, voice, voices, language, emotion, (started, prepared_at))

    def _plan_and_voices(self, text, language, emotion, chosen, key, reference, voice_id, saved_voices, progress):
        """The clip's plan (a script mistake is found before any sample is prepared), the request's
        own voice, and every voice the plan names."""
        name = "modelslab" if chosen.name == MODELSLAB else "local"
        directory = self.voices or LibraryVoices(self.library, saved_voices, name)
        plan = plan_clip(
            text, language=language, emotion=emotion, backend_name=chosen.name, settings=self.settings,
            directory=directory, api_key=key,
        )
        voice = self.voice_to_send(
            reference, voice_id, saved_voices, backend=name, key=key, language=language, progress=progress
        )
        main = Voice("", voice.reference, voice.voice_id, voice.scored)
        return plan, voice, resolve_voices(plan, main, directory, key, needs_voice=chosen.name == MODELSLAB)

    def _embed_quietly(self, references: list[PreparedReference]) -> None:
        try:
            for reference in references:
                self.matcher.reference_embedding(reference)
        except Exception:  # noqa: BLE001 - the score itself says so at the end if it cannot be made
            log.debug("reference embedding ahead of the voice match failed", exc_info=True)

    def _outcome(self, item: CloneResult, voice: VoiceSent, voices: Mapping[str, Voice], language: str,
                 emotion: str, clock: tuple[float, float]) -> CloneOutcome:
        """Score the finished clip's voice against its reference (a script's voices each on their own
        parts against their own sample) and write the details."""
        started, prepared_at = clock
        scored_at = time.monotonic()
        if item.voice_audio:
            matches = self.matcher.score_voices(
                item.voice_audio, {name: v.match_reference for name, v in voices.items()}
            )
        else:
            matches = (self.matcher.score(item.audio_path, voice.scored),)
        match = matches[0]
        timings = (
            ("prepare", prepared_at - started), *item.timings,
            ("voice match", time.monotonic() - scored_at), ("total", time.monotonic() - started),
        )  # fmt: skip
        log.info("clone done: backend=%s job=%s total=%.2fs", item.backend, item.job_id, timings[-1][1])
        lines = "\n\n".join(m.line for m in matches)
        details = render_details(item, voice.reference, language, emotion, timings, lines, voice.notes)
        return CloneOutcome(item, voice.reference, details, match)

    @contextlib.contextmanager
    def server_key_spend(self, backend: str, key: str, parts: int) -> Iterator[None]:
        """Count `parts` against SERVER_KEY_MAX_PER_HOUR when they go to ModelsLab on the server's key.

        A visitor's own key and the offline engine are not counted. Work ModelsLab never took a job
        for (refused before submitting, or the submit failed) is given back: it cost nothing; of a
        clip that failed at one part, the parts that were not made are given back.
        """
        if backend != "modelslab" or not key or key != self.settings.api_key:
            yield
            return
        self.key_budget.spend(parts)
        try:
            yield
        except VoiceCloneError as exc:
            if isinstance(exc, PartFailedError):
                self.key_budget.refund(parts - len(exc.made))
            elif getattr(exc, "job_id", None) is None:
                self.key_budget.refund(parts)
            raise

    def other_format(self, result: CloneResult) -> Path | None:
        """The finished clip in the other download format (WAV -> MP3), labelled AI-generated too."""
        converted = other_format(result.audio_path)
        if converted is not None:
            tag_ai_generated(converted, disclosed_backend(result.backend))
        return converted

    def voice_to_send(
        self, reference, voice_id: str, saved_voices: object, *, backend: str, key: str, language: str,
        progress: Progress = no_progress,
    ) -> VoiceSent:
        """The voice for the chosen backend: a sample given wins; a library id (`example:…`, `saved:…`)
        is resolved; any other voice id goes to ModelsLab as is."""
        if reference:
            progress(0.02, "Checking your voice sample…")
            prepared = self.check_reference(reference)
            return VoiceSent(prepared, voice_id, scored=prepared)
        if not (voice_id and self.library.is_library_id(voice_id)):
            return VoiceSent(None, voice_id)
        progress(0.02, "Loading the voice…")
        choice = self.library.resolve(voice_id, saved_voices, key)
        use = choice.for_backend(backend, key)
        accent = accent_note(choice.language, language)
        notes = (use.note, *((f"**Accent:** {accent}",) if accent else ()))
        try:  # a voice sent by id is still scored against its own sample; the score is best-effort
            scored = use.reference or choice.reference()
        except VoiceCloneError:
            scored = None
        return VoiceSent(use.reference, use.voice_id, notes, scored)

def disclosed(items: Iterator[PartialAudio | CloneResult], backend: str) -> Iterator[PartialAudio | CloneResult]:
    """Every file a clip leaves is labelled AI-generated: each part as it plays, the clip, and the
    parts kept for download when a part failed."""
    try:
        for item in items:
            tag_ai_generated(item.audio_path, disclosed_backend(backend))
            yield item
    except PartFailedError as exc:
        for path in exc.made:
            tag_ai_generated(path, disclosed_backend(backend))
        raise


def disclosed_backend(name: str) -> str:
    """How a file's AI-generated disclosure names the backend that made it."""
    return "the ModelsLab voice-cloning API" if name == MODELSLAB else "the offline engine (voice matching)"
