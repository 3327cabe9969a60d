"""One saved voice as a single file, to move it to another browser or Space, and reading it back.

The file is JSON: `{"format": "voice-clone-studio/voice", "version": 1, "voice": {...}}` where the
voice is exactly what the browser stores (Ogg Opus audio as base64, name, language, consent record,
ModelsLab link). An imported file is untrusted input like any upload: size-capped, parsed strictly
(`record.parse_voice`), and its audio must still pass the reference rules before it is kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from components.errors import InputError
from components.library.record import (
    MAX_AUDIO_BYTES,
    EntryRefused,
    SavedVoice,
    new_uid,
    parse_voice,
)
from components.library.store import Library

EXPORT_FORMAT = "voice-clone-studio/voice"
EXPORT_VERSION = 1
EXPORT_SUFFIX = ".voice.json"
MAX_IMPORT_BYTES = MAX_AUDIO_BYTES * 4 // 3 + 16_384
"""A voice file is its audio as base64 plus a few hundred bytes: anything bigger is refused unread."""


def export_bytes(voice: SavedVoice) -> bytes:
    """The voice as a file's bytes (UTF-8 JSON)."""
    document = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "voice": voice.to_json()}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def export_name(voice: SavedVoice) -> str:
    """'Anna Maria' -> 'Anna-Maria.voice.json' (a file name without spaces or odd characters)."""
    stem = re.sub(r"[^\w.-]+", "-", voice.name).strip("-.") or "voice"
    return stem + EXPORT_SUFFIX


def read_voice_file(data: bytes, library: Library) -> SavedVoice:
    """A voice file's bytes -> a SavedVoice that fits into `library` (fresh id/name on a clash).

    Raises:
        InputError: the file is not a voice file from this app, or it was changed or damaged.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise InputError(
            f"This file is {len(data) / 1e6:.1f} MB; a voice file from this app is under "
            f"{MAX_IMPORT_BYTES / 1e6:.1f} MB. Choose a file you exported with “Export”."
        )
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise InputError(
            f"This is not a voice file (a {EXPORT_SUFFIX} file made with “Export”). Choose that file."
        ) from err
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise InputError(f"This is not a voice file from this app (a {EXPORT_SUFFIX} file made with “Export”).")
    if document.get("version") != EXPORT_VERSION:
        raise InputError("This voice file was made by a newer version of the app, which this one cannot read.")
    try:
        voice = parse_voice(document.get("voice"))
    except EntryRefused as why:
        raise InputError(f"This voice file cannot be used: {why}.") from why
    if library.find(voice.uid) is not None:
        voice = replace(voice, uid=new_uid())
    return replace(voice, name=library.free_name(voice.name))
