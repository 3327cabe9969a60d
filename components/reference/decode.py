"""Any audio (or video) file -> mono float32 samples, with cheap checks first and ffmpeg only if needed.

WAV, FLAC, MP3, AIFF and Ogg Vorbis decode in-process with libsndfile (no process start, and no
ffmpeg needed at all). Everything else (M4A/AAC, WebM, Opus, MP4/MOV video...) goes through ffmpeg
(components.audio.ffmpeg). Every failure becomes an AudioInputError with a plain message.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from components.audio.ffmpeg import decode_with_ffmpeg, find_ffmpeg
from components.audio.resample import resample
from components.audio.sniff import sniff_container
from components.audio.source import Decoded, SourceInfo, too_long_error
from components.errors import FfmpegMissingError

logger = logging.getLogger(__name__)

_SNDFILE_CONTAINERS = frozenset({"wav", "flac", "mp3", "ogg", "aiff", "caf"})
_READ_BLOCK_FRAMES = 1 << 18


def decode(path: Path, head: bytes, *, target_rate: int, max_duration_s: float) -> Decoded:
    """Decode `path` to mono float32 at min(target_rate, the file's own rate).

    Args:
        path: the input file.
        head: its first bytes (at least 64 KiB or the whole file), already read for sniffing.
        target_rate: wanted sample rate in Hz; lower-rate files keep their own rate.
        max_duration_s: longer files are refused before decoding.

    Raises:
        AudioInputError: not audio, unreadable, too long, or no sound track.
        FfmpegMissingError: the format needs ffmpeg and none is installed.
    """
    container = sniff_container(head)  # raises for images, text, documents...
    ffmpeg = find_ffmpeg()
    # libsndfile decodes Opus at about half ffmpeg's speed: use it for Opus only without ffmpeg
    in_process = container in _SNDFILE_CONTAINERS and not (ffmpeg and b"OpusHead" in head[:512])
    if in_process:
        decoded = _decode_with_sndfile(path, container, target_rate, max_duration_s)
        if decoded is not None:
            return decoded
    if ffmpeg is None:
        raise FfmpegMissingError(
            "This file needs ffmpeg to be decoded, and ffmpeg is not installed on the server. "
            "Upload a WAV file instead, or ask the administrator to install ffmpeg."
        )
    return decode_with_ffmpeg(ffmpeg, path, container, target_rate, max_duration_s)


# --- in-process decoding (libsndfile) -----------------------------------------------------------

_SNDFILE_NAMES = {"WAV": "WAV", "WAVEX": "WAV", "RF64": "WAV", "FLAC": "FLAC", "MP3": "MP3",
                  "AIFF": "AIFF", "CAF": "CAF"}  # fmt: skip
_SUBTYPE_BITS = {"PCM_U8": "8-bit", "PCM_S8": "8-bit", "PCM_16": "16-bit", "PCM_24": "24-bit",
                 "PCM_32": "32-bit", "FLOAT": "32-bit float", "DOUBLE": "64-bit float"}  # fmt: skip


def _sndfile_name(info) -> str:
    if info.format == "OGG":
        return {"OPUS": "Ogg Opus", "VORBIS": "Ogg Vorbis", "FLAC": "Ogg FLAC"}.get(
            info.subtype, "Ogg"
        )
    name = _SNDFILE_NAMES.get(info.format, info.format)
    if name == "WAV" and info.subtype in _SUBTYPE_BITS:
        name += f" ({_SUBTYPE_BITS[info.subtype]})"
    return name


def _decode_with_sndfile(
    path: Path, container: str, target_rate: int, max_duration_s: float
) -> Decoded | None:
    """Read with libsndfile, downmix block by block, resample in numpy. None = let ffmpeg try."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
        if info.samplerate <= 0 or info.channels <= 0:
            return None
        known_length = 0 < info.frames < 2**62
        duration = info.frames / info.samplerate if known_length else None
        if duration is not None and duration > max_duration_s:
            raise too_long_error(duration, max_duration_s)
        mono = _read_mono(path, info, max_duration_s)
    except (RuntimeError, ValueError, TypeError, OSError, EOFError) as err:
        # libsndfile could not parse it (odd codec, damaged header): ffmpeg may still manage
        logger.info("libsndfile could not read %s (%s); trying ffmpeg", container, err)
        return None
    source = SourceInfo(
        _sndfile_name(info), info.samplerate, info.channels, len(mono) / info.samplerate
    )
    rate = min(target_rate, info.samplerate)
    return Decoded(resample(mono, info.samplerate, rate), rate, source)


def _read_mono(path: Path, info, max_duration_s: float) -> np.ndarray:
    """Decode into one preallocated mono buffer: memory stays ~4 bytes per sample, any channel count."""
    import soundfile as sf

    limit = int(max_duration_s * info.samplerate) + 1
    capacity = min(limit, info.frames if 0 < info.frames < limit else _READ_BLOCK_FRAMES * 8)
    mono = np.empty(capacity, np.float32)
    filled = 0
    with sf.SoundFile(str(path)) as f:
        block = np.empty((_READ_BLOCK_FRAMES, f.channels), np.float32)
        while True:
            n = f.read(_READ_BLOCK_FRAMES, dtype="float32", always_2d=True, out=block)
            n = len(n)
            if n == 0:
                break
            if filled + n > limit:
                raise too_long_error((filled + n) / info.samplerate, max_duration_s)
            if filled + n > len(mono):
                mono = np.resize(mono, min(limit, max(2 * len(mono), filled + n)))
            _downmix(block[:n], mono[filled : filled + n])
            filled += n
    return mono[:filled]


def _downmix(block: np.ndarray, out: np.ndarray) -> None:
    """Equal-weight mix of all channels into `out` (column adds: far faster than mean(axis=1))."""
    np.copyto(out, block[:, 0])
    for channel in range(1, block.shape[1]):
        out += block[:, channel]
    if block.shape[1] > 1:
        out *= np.float32(1.0 / block.shape[1])
