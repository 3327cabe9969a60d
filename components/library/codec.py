"""A prepared reference <-> the compact bytes a browser keeps: Ogg Opus, CELT only, 32 kbit/s.

A browser gives one site about 5.2 million characters of localStorage (Chromium, measured), and what
Gradio's BrowserState stores is base64 of the encrypted JSON, in which the audio is base64 again:
about 1.78 characters per byte of audio. A 25 s voice as 16-bit WAV would take 2 MB of characters;
as Opus at 32 kbit/s it takes about 190 thousand, so over 20 voices fit (bench/voice_library.py).

Why CELT only (`-application lowdelay`): Opus's speech modes (SILK, hybrid) at these rates cut the
long-term spectrum by 3-11 dB above 3 kHz, and that spectrum is much of what makes a voice sound
like itself; CELT keeps it within about 0.7 dB, for 10-15 % more bytes.

Reading back goes through `reference.prepare()` like any upload: a stored voice passes the same
rules (4-30 s of speech, readable, not silence) or is refused with the same messages.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from components.audio.ffmpeg import find_ffmpeg
from components.audio.prepared import PreparedReference
from components.errors import AudioInputError, FfmpegMissingError
from components.reference import prepare

OPUS_BITRATE = "32k"
ENCODE_TIMEOUT_S = 60.0
OGG_MAGIC = b"OggS"
OPUS_MAGIC = b"OpusHead"


def compact_audio(reference: PreparedReference) -> bytes:
    """The reference's audio as Ogg Opus (CELT, 32 kbit/s, mono); ~4 kB per second of speech.

    Raises:
        FfmpegMissingError: no ffmpeg to encode with (imageio-ffmpeg ships one).
        AudioInputError: the encoder failed.
    """
    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        raise FfmpegMissingError(
            "Saving a voice needs ffmpeg, and it is not installed on this server. "
            "Ask the administrator to install the requirements (imageio-ffmpeg)."
        )
    command = [
        ffmpeg, "-nostdin", "-v", "error", "-f", "wav", "-i", "pipe:0",
        "-c:a", "libopus", "-b:a", OPUS_BITRATE, "-application", "lowdelay", "-ac", "1",
        "-map_metadata", "-1", "-fflags", "+bitexact", "-f", "ogg", "pipe:1",
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, input=reference.wav_bytes, capture_output=True, timeout=ENCODE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as err:
        raise AudioInputError("Compressing the voice took too long. Try saving it again.") from err
    if done.returncode != 0 or not is_ogg_opus(done.stdout):
        raise AudioInputError("The voice could not be compressed for saving. Try saving it again.")
    return done.stdout


def is_ogg_opus(data: bytes) -> bool:
    """True when `data` starts like an Ogg Opus stream (the first page carries OpusHead)."""
    return data.startswith(OGG_MAGIC) and OPUS_MAGIC in data[:200]


def reference_from_compact(
    data: bytes,
    *,
    target_rate: int,
    prepare_reference: Callable[..., PreparedReference] = prepare,
    max_upload_mb: float = 25.0,
) -> PreparedReference:
    """Stored Opus bytes -> a PreparedReference, through the same checks as an upload.

    The bytes go to a private temporary file with a name of our own (never one read from the
    browser) and through `prepare()`, which caches by content: using the same voice again is free.

    Raises:
        AudioInputError: the bytes are not a usable voice (the message says why).
    """
    if not is_ogg_opus(data):
        raise AudioInputError("Its audio is not audio this app saved (not Ogg Opus).")
    # Opus always decodes at 48 kHz; the rate the voice was recorded at is in its header, and raising
    # a 16 kHz voice to 24 kHz would only make every request that sends it bigger.
    target_rate = min(target_rate, original_rate(data) or target_rate)
    with tempfile.TemporaryDirectory(prefix="vcs-voice-") as folder:
        path = Path(folder) / "voice.ogg"
        path.write_bytes(data)
        return prepare_reference(path, target_rate=target_rate, max_upload_mb=max_upload_mb)


def original_rate(data: bytes) -> int | None:
    """The input sample rate an Ogg Opus header records (RFC 7845 §5.1), if it is a plausible one."""
    at = data.find(OPUS_MAGIC, 0, 200)
    if at < 0 or len(data) < at + 16:
        return None
    rate = int.from_bytes(data[at + 12 : at + 16], "little")
    return rate if 8000 <= rate <= 48000 else None
