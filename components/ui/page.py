"""build_demo(settings, service) -> gr.Blocks: which components, where, and which handler each event runs.

No module-level state; everything is injected. What the handlers do is in `handlers`; the wording in
`texts`; how it is served in `launch`.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from components.clone_service import CloneService
from components.reference import MAX_SPEECH_S, MIN_SPEECH_S
from components.settings import EMOTIONS, LANGUAGES, Settings, language_label
from components.ui import long_text, texts
from components.ui.api_words import StudioBlocks
from components.ui.handlers import PageHandlers
from components.ui.history import (
    HistoryEvents,
    capture_settings,
    history_panel,
    wire_history,
)
from components.ui.i18n import (
    Translator,
    language_switch,
    localise,
    wire_language_switch,
)
from components.ui.launch import CLONE_CONCURRENCY, CLONE_ID, web_app_built_at_launch
from components.ui.library_handlers import LibraryHandlers
from components.ui.library_panel import (
    PRESS_GENERATE,
    LibraryPanel,
    example_rows,
    generate_js,
    voice_section,
    wire_library,
)
from components.ui.widgets import (
    ChoiceDropdown,
    ChoiceRadio,
    PlayableAudio,
    UploadOnlyAudio,
    UploadOnlyFile,
)

VIDEO_AND_WEBM = [".webm", ".mp4", ".mov", ".mkv", ".m4v", ".weba", ".opus", ".aac", ".wma", ".aiff", ".aif"]
BACKEND_CHOICES = [("Automatic", "auto"), ("ModelsLab API", "modelslab"), ("Offline engine", "local")]
TIER_CHOICES = [("Enterprise (v1)", "enterprise"), ("Standard (v6)", "standard")]


@dataclass
class Page:
    """The components the events connect (layout-only ones are not kept)."""

    engine_status: gr.Markdown
    engine_timer: gr.Timer
    reference_audio: gr.Audio
    reference_note: gr.Markdown
    reference_file: gr.File
    voice_id: gr.Textbox
    text: gr.Textbox
    char_count: gr.Markdown
    language: gr.Dropdown
    emotion: gr.Radio
    backend: gr.Radio
    tier: gr.Radio
    temp_links: gr.Checkbox
    api_key: gr.Textbox
    generate: gr.Button
    live_audio: gr.Audio
    output_audio: gr.Audio
    details: gr.Markdown
    ui_language: gr.Dropdown
    voice_match: gr.HTML
    sample_coaching: gr.Markdown
    library: LibraryPanel
    downloads: gr.File

    @property
    def voice_picker(self) -> gr.Dropdown:
        """The library's Voice picker (the list of takes records which voice a take used)."""
        return self.library.picker

    def clone_inputs(self) -> list:
        """The inputs of Generate and of /clone, in the order of `PageHandlers.clone`'s parameters."""
        return [
            self.text, self.reference_audio, self.voice_id, self.language, self.emotion,
            self.backend, self.api_key, self.tier, self.temp_links,
        ]

    def generate_inputs(self) -> list:
        """Generate's inputs (`PageHandlers.on_generate`): /clone's, plus the picked voice, the
        visitor's saved voices (only those Generate can use: see `generate_js`) and the consent tick."""
        return [*self.clone_inputs(), self.library.picker, self.library.saved, self.library.consent]


def build_demo(settings: Settings, service: CloneService) -> gr.Blocks:
    """Assemble the page and wire its events; `/clone` is the public API endpoint."""
    translator = Translator()
    handlers = PageHandlers(settings, service, translator)
    with web_app_built_at_launch(), StudioBlocks(title="Voice Clone Studio", delete_cache=(3600, 3600)) as demo:
        with gr.Row(equal_height=False, elem_id="title_row"):
            gr.Markdown(texts.TITLE)
            ui_language = language_switch()
        gr.Markdown(texts.describe_backend(settings), elem_id="backend_banner")
        engine_status = gr.Markdown(elem_id="engine_status")
        engine_timer = gr.Timer(2.0, active=handlers.engine_loading())
        with gr.Row(equal_height=False):
            with gr.Column(scale=1):
                library, voice = voice_section(settings, voice_inputs)
                words = text_inputs(settings)
                advanced = advanced_inputs(settings)
                generate = gr.Button("Generate", variant="primary", elem_id="generate")
                example_rows(library, words["text"], words["language"], words["emotion"])
            with gr.Column(scale=1):
                outputs = output_panel()
                takes = history_panel()
        page = Page(
            engine_status=engine_status, engine_timer=engine_timer, generate=generate, library=library,
            ui_language=ui_language, **voice, **words, **advanced, **outputs,
        )
        pending = capture_settings(page)  # before Generate's own handler (see there)
        generated = wire_events(demo, page, handlers, settings)
        wire_library(demo, page, library, LibraryHandlers(settings, service, translator))
        language_set = wire_language_switch(demo, ui_language, translator.remember)
        for event in language_set:  # the counter in the page's language (and right for a shared link)
            event.then(None, counter_inputs(page), page.char_count, js=long_text.part_count_js(settings))
        history = HistoryEvents(translator, service.outputs.root, demo)
        wire_history(page, takes, history, generated, language_set, pending)
        demo.unload(translator.forget)
        localise(demo)  # last: every component above has its words by now
    return demo


def voice_inputs() -> dict:
    """The voice sample: recorder/upload, its report, the video-file fallback, or a voice id."""
    reference_audio = UploadOnlyAudio(
        sources=["microphone", "upload"], type="filepath", editable=True,
        label=f"Voice sample — {MIN_SPEECH_S:g}–{MAX_SPEECH_S:g} s of one person speaking (ideally 10–25 s)",
        elem_id="reference_audio",
    )
    reference_note = gr.Markdown(elem_id="reference_report")
    sample_coaching = gr.Markdown(elem_id="sample_coaching")
    with gr.Accordion("Have a .webm, .mp4 or .mov recording? Add it here", open=False):
        reference_file = UploadOnlyFile(
            file_types=VIDEO_AND_WEBM + ["audio", "video"], type="filepath",
            label="Recording or video file (its audio track is used)", elem_id="reference_file",
        )
    voice_id = gr.Textbox(
        value="", label="…or a ModelsLab voice id (used only when no sample is given)",
        placeholder="e.g. jacob", elem_id="voice_id", max_lines=1,
    )
    return dict(
        reference_audio=reference_audio, reference_note=reference_note,
        reference_file=reference_file, voice_id=voice_id, sample_coaching=sample_coaching,
    )


def text_inputs(settings: Settings) -> dict:
    """The text, its live character counter, the language and the emotion."""
    text = gr.Textbox(
        label="Text to speak", lines=4, max_length=settings.max_text_chars,
        placeholder="Type what the voice should say…", elem_id="text",
    )
    char_count = gr.Markdown(long_text.first_count(settings), elem_id="char_count")
    with gr.Row():
        language = ChoiceDropdown(
            choices=[(language_label(name), name) for name in LANGUAGES], value="english",
            label="Language", elem_id="language",
        )
        emotion = ChoiceRadio(choices=list(EMOTIONS), value="neutral", label="Emotion", elem_id="emotion")
    return dict(text=text, char_count=char_count, language=language, emotion=emotion)


def advanced_inputs(settings: Settings) -> dict:
    """Backend, API tier, temporary links and the visitor's own key, folded away by default."""
    with gr.Accordion("Advanced", open=False):
        backend = ChoiceRadio(
            choices=BACKEND_CHOICES, value="auto", label="Backend", elem_id="backend",
            info="Automatic uses ModelsLab when a key is available, otherwise the offline engine.",
        )
        tier = ChoiceRadio(choices=TIER_CHOICES, value=settings.tier, label="ModelsLab API tier", elem_id="tier")
        temp_links = gr.Checkbox(
            value=False, label="Temporary result links (if your country blocks storage sites)",
            elem_id="temp_links",
        )
        api_key = gr.Textbox(
            value="", type="password", label=texts.api_key_label(settings),
            # With a server key, shown only when that key has an hourly cap a visitor can run into.
            visible=not settings.has_server_key or settings.server_key_max_per_hour > 0,
            elem_id="api_key", max_lines=1,
        )
    return dict(backend=backend, tier=tier, temp_links=temp_links, api_key=api_key)


def output_panel() -> dict:
    """The live player (offline streaming), the finished clip, its details and the session's clips."""
    live_audio = gr.Audio(
        label="AI-generated voice, live (plays while the rest is spoken)", streaming=True, autoplay=True,
        interactive=False, visible=False, elem_id="live_audio",
    )
    output_audio = PlayableAudio(
        type="filepath", label=texts.OUTPUT_LABEL, interactive=False, buttons=["download"],
        elem_id="output_audio",
    )
    voice_match = gr.HTML(visible=False, elem_id="voice_match")
    details = gr.Markdown(texts.DETAILS_PLACEHOLDER, elem_id="details")
    downloads = long_text.downloads_box()
    return dict(
        live_audio=live_audio, output_audio=output_audio, details=details, voice_match=voice_match,
        downloads=downloads,
    )


def counter_inputs(page: Page) -> list:
    """What the part counter reads: the text, which backend it goes to, and the saved voices' names."""
    return [page.text, page.backend, page.api_key, page.library.saved]


def wire_events(demo: gr.Blocks, page: Page, handlers: PageHandlers, settings: Settings):
    """Connect each event to its handler; only `/clone` is a public API endpoint.

    Returns Generate's event, for the list of takes to follow it.
    """
    for trigger in (page.engine_timer.tick, demo.load):  # at once on page load, then every 2 s
        trigger(
            handlers.on_engine_poll, None, [page.engine_status, page.engine_timer],
            api_visibility="private", queue=False, show_progress="hidden",
        )
    counter = long_text.part_count_js(settings)  # characters and parts, counted in the browser
    for trigger in (page.text.change, page.backend.change, page.api_key.change, page.library.saved.change):
        trigger(None, counter_inputs(page), page.char_count, js=counter, queue=False)
    page.reference_audio.change(
        handlers.on_reference_change, page.reference_audio, page.reference_note,
        api_visibility="private", concurrency_limit=4, show_progress="minimal",
    )
    page.reference_audio.change(
        handlers.on_reference_coaching, page.reference_audio, page.sample_coaching,
        api_visibility="private", concurrency_limit=2, show_progress="minimal",
    )
    page.reference_file.upload(
        handlers.on_file_upload, page.reference_file, [page.reference_audio, page.reference_note],
        api_visibility="private", concurrency_limit=4,
    )
    inputs = page.generate_inputs()
    only_usable_voices = generate_js(len(inputs), inputs.index(page.library.picker), inputs.index(page.library.saved))
    generated = page.generate.click(
        handlers.on_generate, inputs, [page.live_audio, page.output_audio, page.details, page.voice_match, page.downloads],
        js=only_usable_voices,
        api_visibility="private", concurrency_limit=CLONE_CONCURRENCY, concurrency_id=CLONE_ID,
    )
    # A click on an example row fills the inputs, then presses Generate: one click makes the clip.
    page.library.examples.load_input_event.then(None, js=PRESS_GENERATE)
    # The public endpoint: same inputs and service call, returns (audio file, details) only.
    api_trigger = gr.Button(visible=False)
    api_trigger.click(
        handlers.clone, page.clone_inputs(), [page.output_audio, page.details], api_name="clone",
        concurrency_limit=CLONE_CONCURRENCY, concurrency_id=CLONE_ID,
    )
    return generated
