"""A generated part (WAV or MP3, as the API sent it) -> mono float32 samples in [-1, 1] and its rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from components.audio.ffmpeg import decode_with_ffmpeg, find_ffmpeg
from components.audio.sniff import sniff_container
from components.errors import AudioInputError, DownloadError

MAX_RATE = 48000
MAX_PART_S = 3600.0


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Decode a result file in-process (libsndfile reads WAV, MP3, FLAC, Ogg).

    Raises:
        DownloadError: the file is not audio libsndfile can read (the downloader already checked
            that it decodes, so this means it changed or is damaged on disk).
    """
    import soundfile  # only once a clip is being stitched: keeps start-up light

    try:
        samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, OSError) as err:
        return _read_with_ffmpeg(Path(path), err)
    return samples.mean(axis=1).astype(np.float32, copy=False), int(rate)


def _read_with_ffmpeg(path: Path, why: Exception) -> tuple[np.ndarray, int]:
    """AAC/M4A and anything else libsndfile does not read (the downloader accepts them)."""
    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        raise DownloadError(f"A generated part could not be read back ({path.name}). Try again.") from why
    try:
        with open(path, "rb") as file:
            sniffed = sniff_container(file.read(64))
        decoded = decode_with_ffmpeg(ffmpeg, path, sniffed, MAX_RATE, MAX_PART_S)
    except (AudioInputError, OSError) as err:
        raise DownloadError(f"A generated part could not be read back ({path.name}). Try again.") from err
    return decoded.samples, decoded.sample_rate
