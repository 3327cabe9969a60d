"""The voice library's part of the page: the Voice picker above the recorder, the consent box, "Save
voice", managing a saved voice, importing voice files, the accent hint, the example rows, and the
`/voices` and `/save_voice` endpoints. Layout and wiring only; what each event does is in
`library_handlers`.

Saved voices live in the visitor's browser: a Gradio BrowserState (localStorage) under a fixed key
and secret, so they survive a reload and a server restart. The server keeps none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from components.library import EXAMPLE_ROWS, Library
from components.settings import LANGUAGES, Settings, language_label
from components.ui.library_handlers import LibraryHandlers
from components.ui.library_texts import (
    CONSENT_LABEL,
    NEW,
    STORAGE_NOTE,
    TO_MY_ACCOUNT,
    TO_SERVER_ACCOUNT,
    picker_choices,
)
from components.ui.widgets import (
    ChoiceDropdown,
    PlayableAudio,
    UploadOnlyFile,
    VoicePicker,
)

LIBRARY_STORAGE_KEY = "voice-clone-studio.saved-voices.v1"
PRESS_GENERATE = "() => { document.querySelector('#generate')?.click(); }"
"""After an example row filled the inputs: Generate's own click, so a take is recorded as usual."""
CONSENT_STORAGE_KEY = "voice-clone-studio.consent.v1"


@dataclass
class LibraryPanel:
    """The library's components that events connect."""

    saved: gr.BrowserState
    consent_state: gr.BrowserState
    languages: gr.State
    picker: gr.Dropdown
    note: gr.Markdown
    picked_box: gr.Column
    picked_audio: gr.Audio
    manage_box: gr.Accordion
    new_name: gr.Textbox
    rename: gr.Button
    delete: gr.Button
    export: gr.Button
    export_file: gr.File
    new_box: gr.Column
    consent: gr.Checkbox
    save_box: gr.Group
    voice_name: gr.Textbox
    sample_language: gr.Dropdown
    to_account: gr.Checkbox
    save_voice: gr.Button
    import_files: gr.File
    accent_hint: gr.Markdown
    examples: gr.Examples | None = None


def voice_section(settings: Settings, recorder: Callable[[], dict]) -> tuple[LibraryPanel, dict]:
    """The picker, the picked voice's player and tools, then `recorder()` (the page's own sample
    inputs) with the consent box and "Save voice" under it, shown while "new recording" is picked."""
    saved = gr.BrowserState(None, storage_key=LIBRARY_STORAGE_KEY, secret=settings.browser_state_secret)
    consent_state = gr.BrowserState({"ticked": False}, storage_key=CONSENT_STORAGE_KEY, secret=settings.browser_state_secret)
    picker = VoicePicker(
        choices=picker_choices(Library(), ()), value=NEW, label="Voice", elem_id="voice_picker",
        info="A new recording, one of your saved voices, an example voice, or a voice of your ModelsLab account.",
    )  # fmt: skip
    note = gr.Markdown(elem_id="voice_note")
    with gr.Column(visible=False) as picked_box:
        picked_audio = PlayableAudio(type="filepath", label="The picked voice's sample", interactive=False,
                                     elem_id="picked_voice_audio")  # fmt: skip
        manage = manage_inputs()
    with gr.Column() as new_box:
        sample = recorder()
        consent = gr.Checkbox(False, label=CONSENT_LABEL, elem_id="consent")
        save = save_inputs(settings)
    with gr.Accordion("Import a saved voice file (.voice.json)", open=False):
        import_files = UploadOnlyFile(file_count="multiple", file_types=[".json"], type="filepath",
                                      label="Voice files exported from this app", elem_id="import_voice")  # fmt: skip
    accent_hint = gr.Markdown(elem_id="accent_hint")
    panel = LibraryPanel(
        saved=saved, consent_state=consent_state, languages=gr.State({}), picker=picker, note=note,
        picked_box=picked_box, picked_audio=picked_audio, new_box=new_box, consent=consent,
        import_files=import_files, accent_hint=accent_hint, **manage, **save,
    )  # fmt: skip
    return panel, sample


def manage_inputs() -> dict:
    with gr.Accordion("Rename, delete or export this saved voice", open=False, visible=False) as manage_box:
        with gr.Row():
            new_name = gr.Textbox(label="Name", max_lines=1, elem_id="rename_voice_name", scale=3)
            rename = gr.Button("Rename", elem_id="rename_voice", scale=1)
        with gr.Row():
            export = gr.Button("Export as a file", elem_id="export_voice")
            delete = gr.Button("Delete from this browser", variant="stop", elem_id="delete_voice")
        export_file = gr.File(label="Voice file", interactive=False, visible=False, elem_id="exported_voice")
    return dict(manage_box=manage_box, new_name=new_name, rename=rename, delete=delete, export=export,
                export_file=export_file)  # fmt: skip


def save_inputs(settings: Settings) -> dict:
    """Shown once the sample is usable: name, the sample's language, optionally the ModelsLab account."""
    with gr.Group(visible=False, elem_id="save_voice_box") as save_box:
        with gr.Row():
            voice_name = gr.Textbox(label="Name this voice", max_lines=1, max_length=40, elem_id="voice_name")
            sample_language = ChoiceDropdown(
                choices=[(language_label(name), name) for name in LANGUAGES], value=None,
                label="Language spoken in the sample", elem_id="sample_language",
            )  # fmt: skip
        to_account = gr.Checkbox(
            False, visible=settings.has_server_key, elem_id="save_to_modelslab",
            label=TO_SERVER_ACCOUNT if settings.has_server_key else TO_MY_ACCOUNT,
        )  # fmt: skip
        save_voice = gr.Button("Save voice", elem_id="save_voice")
        gr.Markdown(STORAGE_NOTE, elem_classes=["voice-storage-note"])
    return dict(save_box=save_box, voice_name=voice_name, sample_language=sample_language,
                to_account=to_account, save_voice=save_voice)  # fmt: skip


def example_rows(panel: LibraryPanel, text, language, emotion) -> gr.Examples:
    """The demo rows: a click fills text, language, emotion and voice, then makes the clip."""
    panel.examples = gr.Examples(
        examples=[list(row) for row in EXAMPLE_ROWS], inputs=[text, language, emotion, panel.picker],
        label="Try an example voice: one click makes a clip, no recording needed", examples_per_page=4,
    )  # fmt: skip
    return panel.examples


def generate_js(count: int, picker_at: int, saved_at: int) -> str:
    """Before Generate: send only the saved voices it can use (the picked one, and any named in the
    text, for scripts), not the whole library, which can be megabytes."""
    return f"""(...args) => {{
        const values = args.slice(0, {count});
        const picked = values[{picker_at}], saved = values[{saved_at}];
        const text = String(values[0] || "").toLowerCase();
        if (saved && typeof saved === "object" && Array.isArray(saved.voices)) {{
            values[{saved_at}] = Object.assign({{}}, saved, {{voices: saved.voices.filter((v) =>
                v && typeof v === "object" && ("saved:" + v.id === picked ||
                (typeof v.name === "string" && v.name && text.includes(v.name.toLowerCase()))))}});
        }}
        return values;
    }}"""


def wire_library(demo: gr.Blocks, page, panel: LibraryPanel, lib: LibraryHandlers) -> None:
    """Connect the library's events; `/voices` and `/save_voice` are public API endpoints."""
    private = dict(api_visibility="private")
    quiet = dict(api_visibility="private", queue=False, show_progress="hidden")
    demo.load(lib.on_load, [panel.saved, panel.consent_state, page.api_key],
              [panel.saved, panel.picker, panel.languages, panel.note, panel.consent], **private)  # fmt: skip
    panel.consent.input(lib.on_consent, panel.consent, panel.consent_state, **quiet)
    panel.picker.change(
        lib.on_pick, [panel.picker, panel.saved, page.reference_audio, page.api_key],
        [panel.new_box, panel.picked_box, panel.picked_audio, panel.manage_box, panel.new_name, panel.note,
         panel.save_box, panel.saved, panel.picker, panel.languages], show_progress="minimal", **private,
    )  # fmt: skip
    page.reference_audio.change(lib.on_sample, [page.reference_audio, panel.picker], panel.save_box,
                                show_progress="hidden", concurrency_limit=4, **private)  # fmt: skip
    view = [panel.saved, panel.picker, panel.languages]
    panel.save_voice.click(
        lib.on_save, [page.reference_audio, panel.voice_name, panel.sample_language, panel.consent,
                      panel.to_account, page.api_key, page.tier, panel.saved], view, concurrency_limit=8, **private,
    )  # fmt: skip
    panel.rename.click(lib.on_rename, [panel.picker, panel.new_name, panel.saved, page.api_key], [*view, panel.note], **private)
    panel.delete.click(lib.on_delete, [panel.picker, panel.saved, page.api_key], [*view, panel.note], **private)
    panel.export.click(lib.on_export, [panel.picker, panel.saved], panel.export_file, **private)
    panel.import_files.upload(lib.on_import, [panel.import_files, panel.saved, page.api_key],
                              [*view, panel.import_files], **private)  # fmt: skip
    for trigger in (page.api_key.blur, page.api_key.submit):
        trigger(lib.on_key, [page.api_key, panel.saved, panel.picker],
                [panel.picker, panel.languages, panel.to_account, panel.note], **private)  # fmt: skip
    for trigger in (panel.picker.change, page.language.change, panel.sample_language.change):
        trigger(lib.on_accent, [panel.picker, page.language, panel.sample_language, panel.languages],
                panel.accent_hint, **quiet)  # fmt: skip
    # Hidden triggers, like /clone's: the endpoints take the page's own inputs (checked the same way).
    api_voices = gr.Button(visible=False)
    api_voices.click(lib.voices, page.api_key, gr.JSON(visible=False), api_name="voices", concurrency_limit=8)
    api_save = gr.Button(visible=False)
    api_save.click(
        lib.save_voice, [page.reference_audio, panel.voice_name, panel.sample_language, panel.consent,
                         page.api_key, page.tier], [gr.Textbox(visible=False), gr.Markdown(visible=False)],
        api_name="save_voice", concurrency_limit=8,
    )  # fmt: skip
