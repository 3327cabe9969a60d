"""What each event on the page does. Layout lives in `page`; these handlers never build components.

This is the one place where app errors become `gr.Error`: a VoiceCloneError shows its
user_message; anything else is logged here and shown as a generic sentence, so no traceback or
secret ever reaches the page or an API client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from components.backends import PartialAudio
from components.clone_service import CloneOutcome, CloneService
from components.errors import InputError, VoiceCloneError
from components.long_form import PartFailedError
from components.settings import Settings
from components.stitch import player_subtitles
from components.ui import library_texts, long_text, texts
from components.ui.agents import stamped_visitor
from components.ui.i18n import DEFAULT_LOCALE, Translator, catalogue
from components.ui.voice_match_view import bar_update, coaching_markdown
from components.visitors import ANONYMOUS, ProxyTrust, visitor_key

log = logging.getLogger(__name__)

CONVERTED_SUFFIX = ".converted.wav"  # marks files we made from a .webm/.mp4/.mov upload


def to_gr_error(exc: Exception, locale: str = DEFAULT_LOCALE) -> gr.Error:
    """The single translation point from exceptions to what a person sees, in their language."""
    words = catalogue()
    title = words.text("msg.title_failed", locale)
    if isinstance(exc, VoiceCloneError):
        return gr.Error(words.translate(exc.user_message, locale), title=title, print_exception=False)
    log.error("unexpected failure while generating", exc_info=exc)
    return gr.Error(words.translate(texts.GENERIC_FAILURE, locale), title=title, print_exception=False)


def picked_voice(
    picked: str | None, reference: str | None, voice_id: str, consent: bool, locale: str = DEFAULT_LOCALE
) -> tuple[str | None, str]:
    """Generate's voice on the page: a picked library voice (by id), or the new recording, which needs
    the consent tick (`/clone` callers attest in the API description instead)."""
    if picked and picked != library_texts.NEW:
        return None, picked
    if reference and not consent:
        raise to_gr_error(InputError(library_texts.CONSENT_TO_GENERATE), locale)
    return reference, voice_id


@dataclass(frozen=True, slots=True)
class PartsKept:
    """A clip failed at one part: these parts were made, and the page offers them for download."""

    paths: tuple[Path, ...]


def visitor_id(request: gr.Request | None, trust: ProxyTrust) -> str:
    """Who to rate-limit: the peer, or the visitor a trusted proxy names (components.visitors)."""
    if request is None or request.client is None:
        return ANONYMOUS
    headers = request.headers
    stamped = stamped_visitor(headers)
    if stamped:  # an MCP call, named where the agent's request arrived (ui.agents)
        return stamped
    getlist = getattr(headers, "getlist", None)
    forwarded = getlist("x-forwarded-for") if getlist else [headers.get("x-forwarded-for") or ""]
    return visitor_key(request.client.host, forwarded, trust)


class PageHandlers:
    """The page's and the API's event handlers, bound to one service and its settings."""

    def __init__(self, settings: Settings, service: CloneService, translator: Translator | None = None):
        self.settings = settings
        self.service = service
        self.proxy_trust = ProxyTrust.from_settings(settings)
        self.translator = translator or Translator()

    def _run(self, inputs: dict, request: gr.Request | None, progress, *, live: bool = True) -> Iterator:
        """service.run() with progress wired to Gradio and every error translated to gr.Error."""

        locale = self.translator.locale(request)

        def report(fraction: float | None, description: str) -> None:
            progress(fraction, desc=self.translator.say(description, locale=locale))

        try:
            yield from self.service.run(
                **inputs, visitor=visitor_id(request, self.proxy_trust), progress=report, live=live
            )
        except PartFailedError as exc:
            if exc.made:
                yield PartsKept(exc.made)  # the page offers them before showing the error
            raise to_gr_error(exc, locale) from None
        except Exception as exc:  # noqa: BLE001 - translated, never shown raw
            raise to_gr_error(exc, locale) from None

    # The docstring is what the API page, gradio_client and MCP agents read: Gradio takes the first
    # paragraph as the description and ONE line per Args entry, hence the long lines.
    def clone(
        self,
        text: str,
        reference: str | None = None,
        voice_id: str = "",
        language: str = "english",
        emotion: str = "neutral",
        backend: str = "auto",
        api_key: str = "",
        tier: str = "",
        temp_links: bool = False,
        x_modelslab_key: gr.Header = None,
        request: gr.Request = None,
        progress: gr.Progress = gr.Progress(),
    ) -> tuple[str, str]:
        """Speak a text in a cloned voice: the voice of a short recording (reference), or a ModelsLab voice id. By sending a recording, the caller confirms that the person speaking in it agreed to have their voice cloned. Every clip is labelled inside the file as an AI-generated voice.

        Args:
            text: What the voice should say, in the chosen language, up to this server's MAX_TEXT_CHARS (10,000 by default; a longer text is refused with the limit). A long text is made in parts and returned as one clip. Lines `Name: text` or `Name (happy): text` are spoken in the voice called Name (see /voices); [pause 1.5s] or <break time="800ms"/> inserts silence (at most 10 s each).
            reference: The voice to clone: a recording of one person speaking for 4-30 s (WAV, MP3, M4A, OGG, FLAC or WebM). Over MCP give a data URI (data:audio/wav;base64,...) or the URL of a file uploaded to this app (POST /gradio_api/upload, then <app URL>/gradio_api/file=<returned path>); links to other sites are refused. Leave empty to use voice_id.
            voice_id: A voice from /voices, used only when no reference is given: an example voice (example:owen, sent as the reference by this server) or a ModelsLab voice id (for example jacob).
            language: One of english, arabic, chinese, spanish, german, czech, dutch, french, hindi, hungarian, italian, japanese, korean, polish, russian, turkish (default english). The text must be written in that language's script.
            emotion: One of neutral, happy, sad, angry, dull (default neutral).
            backend: auto (ModelsLab when a key is available, else the offline engine), modelslab, or local (the offline engine: approximate voice matching, not cloning).
            api_key: Your own ModelsLab API key: needed when this server has none, or to spend your own credits instead of the server's. MCP clients should send it as the X-ModelsLab-Key header instead. Never stored or logged.
            tier: enterprise (v1 API) or standard (v6 API).
            temp_links: true to ask ModelsLab for temporary result links (for countries that block its storage).

        Returns:
            The generated clip (a WAV or MP3 file; over MCP, a URL to download it) and a short markdown report: backend, job id, what was done to the reference, timings.
        """
        # A key an MCP client sends as a header (Gradio injects it; it is not an API input).
        api_key = (api_key or "").strip() or (x_modelslab_key or "").strip()
        inputs = dict(
            text=text, reference=reference, voice_id=voice_id, language=language, emotion=emotion,
            backend=backend, api_key=api_key, tier=tier, temp_links=temp_links,
        )
        for item in self._run(inputs, request, progress, live=False):
            if isinstance(item, CloneOutcome):
                return str(item.result.audio_path), item.details
        raise gr.Error(texts.GENERIC_FAILURE)

    def on_generate(
        self, text, reference, voice_id, language, emotion, backend, api_key, tier, temp_links,
        picked=None, saved_voices=None, consent=False,
        request: gr.Request = None, progress: gr.Progress = gr.Progress(),
    ):
        """The page's Generate: like /clone, but each part plays in the live player as soon as it is
        final, and the downloads (WAV, MP3, subtitles) are offered (the MP3 once the clip shows). The
        voice is the picked one (a saved, example or account voice), or the new recording once the
        consent box is ticked."""
        reference, voice_id = picked_voice(picked, reference, voice_id, consent, self.translator.locale(request))
        inputs = dict(
            text=text, reference=reference, voice_id=voice_id, language=language, emotion=emotion,
            backend=backend, api_key=api_key, tier=tier, temp_links=temp_links, saved_voices=saved_voices,
        )
        streamed, streamed_s = False, 0.0
        say = self.translator.say
        for item in self._run(inputs, request, progress):
            if isinstance(item, PartialAudio):
                if not streamed:  # shown first: a value sent inside an update would not be streamed
                    yield gr.update(visible=True), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                streamed = True
                note = say(long_text.streaming_note(item.done_sentences, item.total_parts), request)
                # Plain values, so Gradio appends them to the live stream (an update would replace it).
                for piece, pause, seconds in long_text.live_slices(item.audio_path, streamed_s):
                    time.sleep(pause)
                    streamed_s += seconds
                    yield piece, gr.skip(), note, gr.skip(), gr.skip()
            elif isinstance(item, PartsKept):
                kept = gr.update(value=[str(path) for path in item.paths], visible=True)
                yield gr.skip(), gr.skip(), say(long_text.failed_parts_note(len(item.paths)), request), gr.skip(), kept
            elif isinstance(item, CloneOutcome):
                yield from self._deliver(item, streamed, request)

    def _deliver(self, outcome: CloneOutcome, streamed: bool, request):
        """The finished clip with its subtitles, voice match and downloads, then the other format."""
        result = outcome.result
        live = gr.skip() if streamed else gr.update(visible=False)
        audio = gr.update(value=str(result.audio_path), subtitles=player_subtitles(list(result.cues)) or None)
        files = [str(path) for path in result.downloads or (result.audio_path,)]
        details = self.translator.say(outcome.details, request)
        yield live, audio, details, bar_update(outcome.match), gr.update(value=files, visible=True)
        converted = self.service.other_format(result)
        if converted is not None:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.update(value=[files[0], str(converted), *files[1:]])

    def on_reference_change(self, path: str | None, request: gr.Request = None) -> str:
        """Show what preparing the sample did (or what is wrong with it) right away."""
        if not path:
            return ""
        if Path(path).name.endswith(CONVERTED_SUFFIX):
            return gr.skip()  # a file we converted ourselves: its report is already shown
        say = self.translator.say
        try:
            prepared = self.service.check_reference(path)
        except VoiceCloneError as exc:
            return say(texts.cannot_use("sample", exc.user_message), request)
        except Exception:
            log.exception("reference check failed")
            return say(texts.cannot_use("sample", "it could not be checked. Try another recording."), request)
        for warning in prepared.warnings:
            gr.Warning(say(warning, request))
        return say(texts.reference_report(prepared), request)

    def on_reference_coaching(self, path: str | None, request: gr.Request = None) -> str:
        """Coach the sample as recorded: a badge and what to do about each problem found."""
        if not path:
            return ""
        return self.translator.say(coaching_markdown(self.service.matcher.coach_file(path)), request)

    def on_file_upload(self, file_path: str | None, request: gr.Request = None):
        """A .webm/.mp4/.mov the audio box refuses: convert it and put it in the audio box."""
        if not file_path:
            return gr.skip(), gr.skip()
        say = self.translator.say
        try:
            prepared = self.service.check_reference(file_path)
        except VoiceCloneError as exc:
            return gr.skip(), say(texts.cannot_use("file", exc.user_message), request)
        target = self.service.outputs.new_path(CONVERTED_SUFFIX)
        target.write_bytes(prepared.wav_bytes)
        return str(target), say(texts.reference_report(prepared), request)

    def engine_loading(self) -> bool:
        """Whether the page should say the offline voice is still loading.

        Only when offline is the default: with a server key the engine loads on first offline use.
        """
        return self.settings.offline_is_default and self.service.offline_engine_pending()

    def on_engine_poll(self, request: gr.Request = None):
        """While the offline voice loads in the background, say so; stop polling once it is ready."""
        if self.engine_loading():
            return self.translator.say(texts.ENGINE_LOADING, request), gr.skip()
        return "", gr.Timer(active=False)
