"""build_demo(settings, service) -> gr.Blocks. No module-level state; everything is injected.

This is the one place where app errors become `gr.Error`: a VoiceCloneError shows its
user_message; anything else is logged here and shown as a generic sentence, so no traceback or
secret ever reaches the page or an API client.
"""

from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from components.backends import PartialAudio
from components.clone_service import CloneOutcome, CloneService
from components.errors import VoiceCloneError
from components.reference_audio import MAX_SPEECH_S, MIN_SPEECH_S
from components.settings import EMOTIONS, LANGUAGES, Settings, language_label
from components.ui_components import ChoiceDropdown, ChoiceRadio, PlayableAudio, UploadOnlyAudio, UploadOnlyFile

log = logging.getLogger(__name__)

CLONE_CONCURRENCY = 32  # network-bound jobs must not queue behind each other
QUEUE_IDLE_POLL_S = 0.01  # how often Gradio's idle queue looks for new work (its default: 1 ms)
HISTORY_SIZE = 10
GENERIC_FAILURE = (
    "Something went wrong on the server while generating. Please try again; "
    "if it keeps happening, tell the person who shared this link."
)
VIDEO_AND_WEBM = [".webm", ".mp4", ".mov", ".mkv", ".m4v", ".weba", ".opus", ".aac", ".wma", ".aiff", ".aif"]

CONVERTED_SUFFIX = ".converted.wav"  # marks files we made from a .webm/.mp4/.mov upload

CSS = """
#details { min-height: 6em; }
#char_count { text-align: right; opacity: 0.75; font-size: 0.85em; margin-top: -0.5em; }
#reference_report { font-size: 0.9em; }
"""

CHAR_COUNT_JS = "(text) => `${[...(text || '')].length} / %d characters`"


def to_gr_error(exc: Exception) -> gr.Error:
    """The single translation point from exceptions to what a person sees."""
    if isinstance(exc, VoiceCloneError):
        return gr.Error(exc.user_message, title="Could not generate", print_exception=False)
    log.error("unexpected failure while generating", exc_info=exc)
    return gr.Error(GENERIC_FAILURE, title="Could not generate", print_exception=False)


def visitor_id(request: gr.Request | None) -> str:
    """Who to rate-limit: the client address (Spaces' proxy sets it to the visitor's)."""
    if request is None or request.client is None:
        return "anonymous"
    return request.client.host or "anonymous"


def describe_backend(settings: Settings) -> str:
    if settings.voice_backend == "local":
        return "**Offline mode** — voices are made on this server with approximate voice matching (not cloning)."
    if settings.has_server_key or settings.voice_backend == "modelslab":
        return "**ModelsLab voice cloning** — your sample is sent to the ModelsLab API."
    return (
        "**No API key on this server: offline mode** — approximate voice matching on this server. "
        "Enter your own ModelsLab key under *Advanced* for real cloning."
    )


def build_demo(settings: Settings, service: CloneService) -> gr.Blocks:
    """Assemble the page and wire its events; `/clone` is the public API endpoint."""

    def run(text, reference, voice_id, language, emotion, backend, api_key, tier, temp_links, request, progress):
        """service.run() with progress wired to Gradio and every error translated to gr.Error."""

        def report(fraction: float | None, description: str) -> None:
            progress(fraction, desc=description)

        try:
            yield from service.run(
                text=text, reference=reference, voice_id=voice_id, language=language,
                emotion=emotion, backend=backend, api_key=api_key, tier=tier,
                temp_links=temp_links, visitor=visitor_id(request), progress=report,
            )
        except Exception as exc:  # noqa: BLE001 - translated, never shown raw
            raise to_gr_error(exc) from None

    def clone(
        text: str,
        reference: str | None = None,
        voice_id: str = "",
        language: str = "english",
        emotion: str = "neutral",
        backend: str = "auto",
        api_key: str = "",
        tier: str = "",
        temp_links: bool = False,
        request: gr.Request = None,
        progress: gr.Progress = gr.Progress(),
    ) -> tuple[str, str]:
        """Speak `text` in the voice of `reference` (or of a ModelsLab `voice_id`).

        Returns (audio file path, details markdown). Errors come back as gr.Error messages.
        """
        args = (text, reference, voice_id, language, emotion, backend, api_key, tier, temp_links)
        for item in run(*args, request, progress):
            if isinstance(item, CloneOutcome):
                return str(item.result.audio_path), item.details
        raise gr.Error(GENERIC_FAILURE)

    def clone_in_page(
        text, reference, voice_id, language, emotion, backend, api_key, tier, temp_links,
        request: gr.Request = None, progress: gr.Progress = gr.Progress(),
    ):
        """The page's Generate: like /clone, but offline sentences stream into the live player first."""
        args = (text, reference, voice_id, language, emotion, backend, api_key, tier, temp_links)
        streamed = False
        for item in run(*args, request, progress):
            if isinstance(item, PartialAudio):
                streamed = True
                note = f"Speaking… {item.done_sentences} sentence(s) ready; the live player has started."
                yield gr.update(value=str(item.audio_path), visible=True), gr.skip(), note
            elif isinstance(item, CloneOutcome):
                live = gr.skip() if streamed else gr.update(visible=False)
                yield live, str(item.result.audio_path), item.details

    def check_reference(path: str | None) -> str:
        """Show what preparing the sample did (or what is wrong with it) right away."""
        if not path:
            return ""
        if Path(path).name.endswith(CONVERTED_SUFFIX):
            return gr.skip()  # a file we converted ourselves: its report is already shown
        try:
            prepared = service.check_reference(path)
        except VoiceCloneError as exc:
            return f"**Can't use this sample:** {exc.user_message}"
        except Exception:
            log.exception("reference check failed")
            return "**Can't use this sample:** it could not be checked. Try another recording."
        for warning in prepared.warnings:
            gr.Warning(warning)
        return reference_report(prepared)

    def import_file(file_path: str | None):
        """A .webm/.mp4/.mov the audio box refuses: convert it and put it in the audio box."""
        if not file_path:
            return gr.skip(), gr.skip()
        try:
            prepared = service.check_reference(file_path)
        except VoiceCloneError as exc:
            return gr.skip(), f"**Can't use this file:** {exc.user_message}"
        target = service.outputs.new_path(CONVERTED_SUFFIX)
        target.write_bytes(prepared.wav_bytes)
        return str(target), reference_report(prepared)

    def poll_engine():
        """While the offline voice loads in the background, say so; stop polling once it is ready.

        Only when offline is the default: with a server key the engine loads on first offline use.
        """
        if settings.offline_is_default and service.offline_engine_pending():
            return "_Offline voice is loading in the background; the first offline clip may take a few seconds._", gr.skip()
        return "", gr.Timer(active=False)

    def remember(audio_path: str | None, history: list[str]):
        if not audio_path:
            return history, gr.skip()
        history = ([audio_path] + [p for p in history if p != audio_path])[:HISTORY_SIZE]
        return history, gr.update(value=history, visible=True)

    with gr.Blocks(title="Voice Clone Studio", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# Voice Clone Studio\nRecord or upload a short voice sample, type a text, and hear it in that voice.")
        gr.Markdown(describe_backend(settings), elem_id="backend_banner")
        engine_status = gr.Markdown(elem_id="engine_status")
        engine_timer = gr.Timer(2.0, active=settings.offline_is_default and service.offline_engine_pending())
        with gr.Row(equal_height=False):
            with gr.Column(scale=1):
                reference_audio = UploadOnlyAudio(
                    sources=["microphone", "upload"], type="filepath", editable=True,
                    label=f"Voice sample — {MIN_SPEECH_S:g}–{MAX_SPEECH_S:g} s of one person speaking (ideally 10–25 s)",
                    elem_id="reference_audio",
                )
                reference_note = gr.Markdown(elem_id="reference_report")
                with gr.Accordion("Have a .webm, .mp4 or .mov recording? Add it here", open=False):
                    reference_file = UploadOnlyFile(
                        file_types=VIDEO_AND_WEBM + ["audio", "video"], type="filepath",
                        label="Recording or video file (its audio track is used)", elem_id="reference_file",
                    )
                voice_id = gr.Textbox(
                    value="", label="…or a ModelsLab voice id (used only when no sample is given)",
                    placeholder="e.g. jacob", elem_id="voice_id", max_lines=1,
                )
                text = gr.Textbox(
                    label="Text to speak", lines=4, max_length=settings.max_text_chars,
                    placeholder="Type what the voice should say…", elem_id="text",
                )
                char_count = gr.Markdown(f"0 / {settings.max_text_chars} characters", elem_id="char_count")
                with gr.Row():
                    language = ChoiceDropdown(
                        choices=[(language_label(name), name) for name in LANGUAGES], value="english",
                        label="Language", elem_id="language",
                    )
                    emotion = ChoiceRadio(choices=list(EMOTIONS), value="neutral", label="Emotion", elem_id="emotion")
                with gr.Accordion("Advanced", open=False):
                    backend = ChoiceRadio(
                        choices=[("Automatic", "auto"), ("ModelsLab API", "modelslab"), ("Offline engine", "local")],
                        value="auto", label="Backend", elem_id="backend",
                        info="Automatic uses ModelsLab when a key is available, otherwise the offline engine.",
                    )
                    tier = ChoiceRadio(
                        choices=[("Enterprise (v1)", "enterprise"), ("Standard (v6)", "standard")],
                        value=settings.tier, label="ModelsLab API tier", elem_id="tier",
                    )
                    temp_links = gr.Checkbox(
                        value=False, label="Temporary result links (if your country blocks storage sites)",
                        elem_id="temp_links",
                    )
                    api_key = gr.Textbox(
                        value="", type="password", label="Your ModelsLab API key (used for this session only, never stored)",
                        visible=not settings.has_server_key, elem_id="api_key", max_lines=1,
                    )
                generate = gr.Button("Generate", variant="primary", elem_id="generate")
            with gr.Column(scale=1):
                live_audio = gr.Audio(
                    label="Live (plays while the rest is spoken)", streaming=True, autoplay=True,
                    interactive=False, visible=False, elem_id="live_audio",
                )
                output_audio = PlayableAudio(
                    type="filepath", label="Generated voice", interactive=False, buttons=["download"],
                    elem_id="output_audio",
                )
                details = gr.Markdown("Details of each clip appear here.", elem_id="details")
                history_state = gr.State([])
                history = gr.File(
                    label="This session's clips", file_count="multiple", interactive=False,
                    visible=False, elem_id="history",
                )

        for trigger in (engine_timer.tick, demo.load):  # at once on page load, then every 2 s
            trigger(
                poll_engine, None, [engine_status, engine_timer], api_visibility="private", queue=False,
                show_progress="hidden",
            )
        text.change(None, text, char_count, js=CHAR_COUNT_JS % settings.max_text_chars, queue=False)
        reference_audio.change(
            check_reference, reference_audio, reference_note, api_visibility="private",
            concurrency_limit=4, show_progress="minimal",
        )
        reference_file.upload(
            import_file, reference_file, [reference_audio, reference_note], api_visibility="private",
            concurrency_limit=4,
        )
        inputs = [text, reference_audio, voice_id, language, emotion, backend, api_key, tier, temp_links]
        generate.click(
            clone_in_page, inputs, [live_audio, output_audio, details], api_visibility="private",
            concurrency_limit=CLONE_CONCURRENCY, concurrency_id="clone",
        ).success(remember, [output_audio, history_state], [history_state, history], api_visibility="private")
        # The public endpoint: same inputs and service call, returns (audio file, details) only.
        api_trigger = gr.Button(visible=False)
        api_trigger.click(
            clone, inputs, [output_audio, details], api_name="clone",
            concurrency_limit=CLONE_CONCURRENCY, concurrency_id="clone",
        )
    return demo


def reference_report(prepared) -> str:
    lines = [f"**Sample ready: {prepared.duration_s:.1f} s of speech** (from {prepared.source})."]
    lines.extend(f"- {sentence}" for sentence in prepared.report)
    return "\n".join(lines)


def launch_options(settings: Settings) -> dict:
    """Keyword arguments for demo.launch(), shared by app.py and the tests."""
    options = {
        "server_name": settings.server_name,
        "server_port": settings.server_port,
        "max_file_size": f"{settings.max_upload_mb:g}mb",
        "theme": gr.themes.Soft(),
        "css": CSS,
        "show_error": False,
        # Handlers of network-bound jobs sleep in threads; keep spare threads for pre/post-processing.
        "max_threads": 4 * CLONE_CONCURRENCY,
        "footer_links": ["api", "gradio"],
    }
    if settings.auth:
        options["auth"] = list(settings.auth)
        options["auth_message"] = "This voice-cloning demo is private. Sign in with the login you were given."
    return options


def configure_queue(demo: gr.Blocks) -> gr.Blocks:
    """A bounded queue: network jobs run side by side, the page never queues behind them."""
    demo.queue(max_size=256, default_concurrency_limit=4)
    # Gradio's queue loop checks for new work every 1 ms when idle: about 10% of a core on a
    # 2-core Space doing nothing, and GIL time taken from busy handlers under load. Every 10 ms
    # costs a tenth of that and delays a job's start by at most 10 ms.
    demo._queue.sleep_when_free = max(demo._queue.sleep_when_free, QUEUE_IDLE_POLL_S)
    return demo
