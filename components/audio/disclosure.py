"""Every generated file says what it is: an AI-generated voice, which backend made it, when, and by what app.

A clip travels without the page around it (downloaded, forwarded, posted), so the disclosure lives in
the file: WAV gets a RIFF LIST/INFO chunk (ICMT comment, ISFT software, ICRD date: what ffmpeg,
libsndfile, Audacity and file managers show), MP3 an ID3 tag (COMM comment, TXXX "AI generated" and
"Backend", TSSE, TDRC), FLAC/Ogg Vorbis comments and M4A its iTunes atoms, written with mutagen.
Nothing audible changes: this is a label, not a watermark, and anyone can strip it.

`tag_ai_generated(path, backend)` is the one call; it rewrites the file in place (atomically) and
keeps whatever tags the file already carried, replacing only its own fields.
"""

from __future__ import annotations

import logging
import os
import struct
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from components.audio.sniff import sniff_container
from components.errors import AudioInputError

log = logging.getLogger(__name__)

APP_NAME = "Voice Clone Studio"
COPY_BLOCK = 1 << 20
"""A WAV's audio is copied in blocks of this many bytes when it is tagged."""
AI_GENERATED = "AI-generated voice"


def disclosure_text(backend: str, made: datetime, app: str = APP_NAME) -> str:
    """The comment every clip carries, in plain words."""
    return (
        f"{AI_GENERATED}: synthetic speech, not a recording of a person. Made by {app} with "
        f"{backend} on {made:%Y-%m-%d %H:%M} UTC."
    )


def tag_ai_generated(path: str | Path, backend: str, *, made: datetime | None = None, app: str = APP_NAME) -> Path:
    """Write the AI-generated disclosure into the audio file at `path`; return the path.

    Args:
        path: a WAV, MP3, FLAC, Ogg or M4A file (other files are left as they are, with a log line).
        backend: what made the voice, in words ("ModelsLab", "offline").
        made: when (default: now, UTC).
        app: the application named as the software.
    """
    path = Path(path)
    made = (made or datetime.now(timezone.utc)).astimezone(timezone.utc)
    comment = disclosure_text(backend, made, app)
    software = f"{app} ({backend})"
    with open(path, "rb") as handle:
        head = handle.read(64)
    try:
        container = sniff_container(head)
    except AudioInputError:
        container = "unknown"
    if container == "wav":
        _tag_wav(path, {b"ICMT": comment, b"ISFT": software, b"ICRD": f"{made:%Y-%m-%d}"})
    elif container in ("mp3", "flac", "ogg", "mp4"):
        _tag_with_mutagen(path, comment, software, backend, made)
    else:
        log.warning("not tagged as AI-generated: %s is not WAV/MP3/FLAC/Ogg/M4A", path.name)
    return path


# --- WAV: RIFF LIST/INFO ------------------------------------------------------------------------

def _chunk_index(source, file_size: int) -> list[tuple[bytes, int, int]]:
    """The top-level chunks of a RIFF WAVE file as (id, payload offset, payload length), read from
    their headers only: a long clip's audio is never loaded to find them."""
    chunks, at = [], 12
    while at + 8 <= file_size:
        source.seek(at)
        header = source.read(8)
        chunk_id, size = header[:4], struct.unpack("<I", header[4:8])[0]
        chunks.append((chunk_id, at + 8, max(0, min(size, file_size - at - 8))))
        at += 8 + size + (size & 1)
    return chunks


def _info_fields(payload: bytes) -> list[tuple[bytes, bytes]]:
    """(id, raw value) pairs of a LIST/INFO payload."""
    fields, at = [], 4
    while at + 8 <= len(payload):
        field_id, size = payload[at : at + 4], struct.unpack("<I", payload[at + 4 : at + 8])[0]
        fields.append((field_id, payload[at + 8 : at + 8 + size]))
        at += 8 + size + (size & 1)
    return fields


def _chunk(chunk_id: bytes, payload: bytes) -> bytes:
    return chunk_id + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) & 1 else b"")


def _tag_wav(path: Path, ours: dict[bytes, str]) -> None:
    """Rewrite the file with one LIST/INFO chunk (before `data`) holding the old fields and ours.

    The audio itself is copied from file to file in blocks: tagging a 10-minute clip costs no more
    memory than tagging a 2-second one.
    """
    with open(path, "rb") as source:
        if source.read(4) != b"RIFF":  # RF64/RIFX: too rare from our backends to rewrite by hand
            log.warning("not tagged as AI-generated: %s is not a plain RIFF WAV", path.name)
            return
        chunks = _chunk_index(source, path.stat().st_size)

        def payload(offset: int, length: int) -> bytes:
            source.seek(offset)
            return source.read(length)

        kept: list[tuple[bytes, bytes]] = []
        infos = {offset for chunk_id, offset, length in chunks if chunk_id == b"LIST" and payload(offset, 4) == b"INFO"}
        for chunk_id, offset, length in chunks:
            if offset in infos:
                kept += [(fid, value) for fid, value in _info_fields(payload(offset, length)) if fid not in ours]
        kept += [(fid, text.encode("utf-8") + b"\0") for fid, text in ours.items()]
        info = _chunk(b"LIST", b"INFO" + b"".join(_chunk(fid, value) for fid, value in kept))
        pieces: list[bytes | tuple[int, int]] = [b"WAVE"]
        """Bytes to write, or (offset, length) of the source to copy."""
        for chunk_id, offset, length in chunks:
            if offset in infos:
                continue
            if chunk_id != b"data":
                pieces.append(_chunk(chunk_id, payload(offset, length)))
                continue
            pieces += [info, b"data" + struct.pack("<I", length), (offset, length), b"\0" * (length & 1)]
            info = b""
        pieces.append(info)
        total = sum(piece[1] if isinstance(piece, tuple) else len(piece) for piece in pieces)
        _replace(path, [b"RIFF" + struct.pack("<I", total), *pieces], source)


def _replace(path: Path, pieces: list[bytes | tuple[int, int]], source) -> None:
    """Write the pieces (bytes, or ranges of `source`) to `path` atomically: a player never reads a
    half-written file."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tagging-")
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                if isinstance(piece, bytes):
                    handle.write(piece)
                    continue
                source.seek(piece[0])
                left = piece[1]
                while left > 0:
                    block = source.read(min(left, COPY_BLOCK))
                    if not block:
                        break
                    handle.write(block)
                    left -= len(block)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# --- MP3, FLAC, Ogg, M4A: mutagen ------------------------------------------------------------------

def _tag_with_mutagen(path: Path, comment: str, software: str, backend: str, made: datetime) -> None:
    import mutagen  # imported on first use: keeps start-up light
    from mutagen.id3 import COMM, ID3, TDRC, TSSE, TXXX
    from mutagen.mp4 import MP4

    audio = mutagen.File(str(path))
    if audio is None:
        log.warning("not tagged as AI-generated: mutagen cannot read %s", path.name)
        return
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    if isinstance(tags, ID3):
        tags.delall("COMM")
        tags.add(COMM(encoding=3, lang="eng", desc="", text=[comment]))
        tags.add(TXXX(encoding=3, desc="AI generated", text=["yes"]))
        tags.add(TXXX(encoding=3, desc="Backend", text=[backend]))
        tags.add(TSSE(encoding=3, text=[software]))
        tags.add(TDRC(encoding=3, text=[f"{made:%Y-%m-%dT%H:%M:%S}"]))
        audio.save(v2_version=3)  # ID3v2.3: what most players and file managers read
        return
    if isinstance(audio, MP4):
        tags["\xa9cmt"], tags["\xa9too"], tags["\xa9day"] = [comment], [software], [f"{made:%Y-%m-%d}"]
    else:  # Vorbis comments (FLAC, Ogg Vorbis/Opus)
        tags["COMMENT"], tags["ENCODER"], tags["DATE"] = [comment], [software], [f"{made:%Y-%m-%d}"]
        tags["AI_GENERATED"] = ["yes"]
    audio.save()
