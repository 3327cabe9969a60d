"""Recognise a file from its first bytes, so non-audio gets a precise message before any decoding.

Gradio hands us whatever was uploaded, whatever its name: a photo, a PDF or a text file must be
named as such ("this is an image (PNG), not audio"), not fed to a decoder that says "Error".
"""

from __future__ import annotations

from components.errors import AudioInputError

AUDIO_FORMATS_HINT = "WAV, MP3, M4A, OGG, Opus, WebM, FLAC, or a video with sound"

_WHAT_TO_DO = f"Upload or record a voice recording instead ({AUDIO_FORMATS_HINT})."

# (offset, magic bytes, container) for formats we decode
_AUDIO_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"fLaC", "flac"),
    (0, b"OggS", "ogg"),
    (0, b"ID3", "mp3"),
    (0, b"\x1a\x45\xdf\xa3", "webm"),  # EBML: WebM / Matroska
    (0, b"#!AMR", "amr"),
    (0, b"caff", "caf"),
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "asf"),  # WMA / WMV
    (0, b".snd", "au"),
    (0, b"wvpk", "wavpack"),
    (0, b"MAC ", "ape"),
)
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_WEAK_MAGIC: tuple[tuple[bytes, str], ...] = (
    # two-byte signatures: checked only after the text test, so "BMW..." stays a text file
    (b"BM", "an image (BMP)"),
    (b"\x00\x00\x01\x00", "an image (ICO)"),
    (b"MZ", "a Windows program"),
)
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"\x1f\x8b", "a compressed (gzip) archive"),
    (b"7z\xbc\xaf\x27\x1c", "a compressed (7-Zip) archive"),
    (b"Rar!", "a compressed (RAR) archive"),
    (b"\x7fELF", "a program"),
    (b"MThd", "a MIDI file (musical notes, not a recording)"),
    (b"SQLite format 3", "a database file"),
)
_IMAGE_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis")


def sniff_container(head: bytes) -> str:
    """Name the container ('wav', 'mp3', 'mp4', ..., or 'unknown' for ffmpeg to try).

    Raises:
        AudioInputError: the bytes are clearly something else (image, text, document, program).
    """
    if head[:4] in (b"RIFF", b"RIFX", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        raise _not_audio("an image (WebP)")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[4:8] == b"ftyp":
        if head[8:12] in _IMAGE_BRANDS:
            raise _not_audio("an image (HEIC/AVIF photo)")
        return {b"M4A ": "m4a", b"M4B ": "m4a", b"qt  ": "mov"}.get(head[8:12], "mp4")
    for offset, magic, container in _AUDIO_MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return container
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "aac"  # ADTS sync word (layer bits 00)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "mp3"  # MPEG audio frame sync
    for magic, name in _IMAGE_MAGIC:
        if head.startswith(magic):
            raise _not_audio(f"an image ({name})")
    for magic, what in _OTHER_MAGIC:
        if head.startswith(magic):
            raise _not_audio(what)
    text_kind = _text_kind(head)
    if text_kind:
        raise _not_audio(text_kind)
    for magic, what in _WEAK_MAGIC:
        if head.startswith(magic):
            raise _not_audio(what)
    return "unknown"


def _not_audio(what: str) -> AudioInputError:
    return AudioInputError(f"This file is {what}, not audio. {_WHAT_TO_DO}")


def _text_kind(head: bytes) -> str | None:
    """'a text file' / 'a web page (HTML)' / 'an image (SVG)' when the bytes are readable text."""
    sample = head[:4096]
    if not sample or b"\x00" in sample:
        return None
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(sample) - 4:  # a multi-byte character cut at the end is still text
            return None
        text = sample[: err.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    if printable < 0.95 * max(1, len(text)):
        return None
    lowered = text.lstrip("\ufeff \r\n\t").lower()
    if "<svg" in lowered[:1000]:
        return "an image (SVG)"
    if lowered.startswith(("<!doctype html", "<html")):
        return "a web page (HTML)"
    return "a text file"
