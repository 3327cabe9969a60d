"""Gradio inputs with two house rules: lenient choice values, and no links in file inputs.

Kept apart from ui.py because Gradio writes a .pyi stub next to any module that subclasses a component.
"""

from __future__ import annotations

import gradio as gr


def _normalised_choice(payload):
    return payload.strip().lower() if isinstance(payload, str) else payload


class ChoiceDropdown(gr.Dropdown):
    """Lets API callers send 'German' or ' german ': normalised here, then validated by CloneService,
    whose message lists the valid choices (Gradio's own check would reject it first)."""

    is_template = True  # rendered by the parent component's frontend

    def preprocess(self, payload):
        return _normalised_choice(payload)


class ChoiceRadio(gr.Radio):
    """The same leniency for radio choices (emotion, backend, tier)."""

    is_template = True

    def preprocess(self, payload):
        return _normalised_choice(payload)


LINKS_REFUSED = (
    "This app does not download links. Send the audio file itself "
    "(with gradio_client: handle_file('path/to/file.wav'))."
)


def _refuse_links(path) -> None:
    if str(path).lower().startswith(("http://", "https://", "//")):
        raise gr.Error(LINKS_REFUSED, title="Link not accepted", print_exception=False)


class UploadOnlyAudio(gr.Audio):
    """gr.Audio that never makes the server fetch a URL a visitor typed (Gradio would download it)."""

    is_template = True

    async def async_move_resource_to_block_cache(self, url_or_file_path):
        _refuse_links(url_or_file_path)
        return await super().async_move_resource_to_block_cache(url_or_file_path)


class UploadOnlyFile(gr.File):
    """The same rule for the .webm/.mp4/.mov file box."""

    is_template = True

    async def async_move_resource_to_block_cache(self, url_or_file_path):
        _refuse_links(url_or_file_path)
        return await super().async_move_resource_to_block_cache(url_or_file_path)
