"""Gradio components with four house rules: lenient choice values; file inputs take only files sent
to this server (no links, no server paths); a caller who sends a path as text is told how to send the
file; and no ffprobe subprocess for audio files the app can vouch for.

Kept apart from ui.py because Gradio writes a .pyi stub next to any module that subclasses a component.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import gradio as gr
from gradio.data_classes import FileData
from gradio_client.utils import is_file_obj_with_meta


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
    "This app does not download links. Send the audio file itself (with gradio_client: "
    "handle_file('path/to/file.wav'); over MCP: a data: URI, or the URL of a file uploaded to this "
    "app with POST /gradio_api/upload)."
)


SERVER_PATHS_REFUSED = (
    "This app only reads files sent to it, not files already on the server. Upload the recording "
    "(with gradio_client: handle_file('path/to/file.wav'))."
)
FILE_NOT_SENT = (
    "The reference must be an audio file sent with the request, not a path or a link written as "
    "text. With gradio_client: reference=handle_file('path/to/voice.wav')."
)
OWN_FILE_ROUTE = "/gradio_api/file="
"""Gradio's route for files it holds; MCP clients pass an uploaded sample as a link to it."""


def own_file_path(url: str) -> str | None:
    """The local path inside a link to this app's own file route (never fetched), else None."""
    _, found, rest = url.partition(OWN_FILE_ROUTE)
    return unquote(rest.split("?", 1)[0].split("#", 1)[0]) if found and rest else None


def _only_uploaded_files(component: gr.components.Component, path) -> str:
    """The file to read: only files that reached this server as uploads (Gradio's upload folder).

    Gradio would otherwise download a link given as a file. The one kind of link accepted is a link
    to a file already uploaded here (`.../gradio_api/file=<path>`, what an MCP client's upload step
    returns): its path is read from the link and checked like any other, and nothing is fetched. A
    server path a caller names (`{"path": "/etc/passwd", "meta": ...}`) is already refused by
    Gradio's own upload-folder check in a running app; this is the backstop that holds wherever the
    component is used.
    """
    path = str(path)
    if path.lower().startswith(("http://", "https://", "//")):
        local = own_file_path(path)
        if local is None or not Path(local).is_file():
            raise gr.Error(LINKS_REFUSED, title="Link not accepted", print_exception=False)
        path = local
    uploads = Path(component.GRADIO_CACHE).resolve()
    if not Path(path).resolve().is_relative_to(uploads):
        raise gr.Error(SERVER_PATHS_REFUSED, title="File not accepted", print_exception=False)
    return path


# Gradio's FileData, with a message a caller can act on when the "file" is a bare string: Gradio's
# own check fails with a validation error that reaches the caller only as "the upstream Gradio app
# has raised an exception". Same fields and title, so API schemas and clients see the usual type;
# the docstring is what the API page shows for the parameter.
class SentFile(FileData):
    """An audio file sent with the request: with gradio_client, handle_file('path/to/voice.wav')."""

    model_config = {"title": "FileData"}

    @classmethod
    def model_validate(cls, obj, *args, context=None, **kwargs):
        # Before pydantic: an exception raised inside a validator would come out as its ValidationError.
        if context and context.get("validate_meta") and not is_file_obj_with_meta(obj):
            raise gr.Error(FILE_NOT_SENT, title="Send the file itself", print_exception=False)
        return super().model_validate(obj, *args, context=context, **kwargs)


# What every current browser plays, by file extension: (libsndfile format, codecs or None for any).
# The same pairs as Gradio's own PLAYABLE_AUDIO_CODECS, for the containers libsndfile reads.
_BROWSER_PLAYABLE = {
    ".wav": ("WAV", {"PCM_16", "PCM_24", "PCM_U8", "FLOAT"}),
    ".mp3": ("MP3", None),
    ".flac": ("FLAC", None),
    ".ogg": ("OGG", {"VORBIS", "OPUS"}),
}


def browser_playable(path: str | Path) -> bool:
    """True if a local file is, by its own header, audio a browser plays under that extension."""
    rule = _BROWSER_PLAYABLE.get(Path(path).suffix.lower())
    if rule is None:
        return False
    import soundfile  # only once a result is returned: keeps start-up light

    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, OSError):
        return False
    container, codecs = rule
    return info.format == container and (codecs is None or info.subtype in codecs)


def vouched_file(component: gr.Audio, value) -> FileData | None:
    """FileData for a local file we can vouch for as browser-playable, else None (Gradio decides).

    Gradio runs `ffprobe` on every audio file a handler returns, to see whether browsers can play it:
    about 80 ms of CPU in a new process each time. With 32 results arriving together that was 2.5 s
    of CPU on a 2-core machine, and every caller waited. A file that libsndfile opens as a
    browser-playable WAV/MP3/FLAC/OGG is passed straight through; anything else still gets Gradio's
    probe (and its conversion).
    """
    if isinstance(value, (str, Path)) and component.format is None and browser_playable(value):
        return FileData(path=str(value), orig_name=Path(value).name)
    return None


# Each subclass derives from the gr component directly: Gradio picks a template's frontend by the
# name of its immediate base class, so a subclass of a subclass would ask for a custom component.


class PlayableAudio(gr.Audio):
    """gr.Audio that hands over files it can vouch for without Gradio's ffprobe check."""

    is_template = True

    def postprocess(self, value):
        return vouched_file(self, value) or super().postprocess(value)


class UploadOnlyAudio(gr.Audio):
    """gr.Audio that reads only uploaded files (never a URL or a server path a caller names), and
    hands over the converted files it shows without Gradio's ffprobe check."""

    is_template = True
    data_model = SentFile

    def postprocess(self, value):
        return vouched_file(self, value) or super().postprocess(value)

    async def async_move_resource_to_block_cache(self, url_or_file_path):
        return await super().async_move_resource_to_block_cache(_only_uploaded_files(self, url_or_file_path))


class UploadOnlyFile(gr.File):
    """The same rules for the .webm/.mp4/.mov file box (a single file)."""

    is_template = True

    async def async_move_resource_to_block_cache(self, url_or_file_path):
        return await super().async_move_resource_to_block_cache(_only_uploaded_files(self, url_or_file_path))


class VoicePicker(gr.Dropdown):
    """The voice picker: its choices differ per visitor (their saved voices, their account's voices),
    so its value is passed on as sent and checked by the library handlers, which treat it as
    untrusted, instead of against the choices the page was built with."""

    is_template = True

    def preprocess(self, payload):
        return payload if isinstance(payload, str) else None
