"""Decoding through one ffmpeg process: probe, decode, downmix, resample, raw float32 to a pipe.

Only an `ffmpeg` binary is needed, never ffprobe (imageio-ffmpeg ships none): what we need to know
about the input (container, codec, rate, channels, duration, video or not) is read from the
description ffmpeg prints before it starts decoding, and a too-long file is stopped right there.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from components.audio.sniff import AUDIO_FORMATS_HINT
from components.audio.source import Decoded, SourceInfo, too_long_error
from components.errors import AudioInputError

logger = logging.getLogger(__name__)

FFMPEG_TIMEOUT_S = 120.0
"""A decode that takes longer than this is stuck (a 10-minute file takes about a second)."""


def find_ffmpeg() -> str | None:
    """imageio-ffmpeg's bundled binary if installed, else the system ffmpeg on PATH, else None.

    The bundled build is statically linked and pinned with the other requirements: it starts in about
    15 ms where Debian's ffmpeg, linked against a hundred shared libraries, takes about 90 ms, and a
    60 s WebM/Opus decodes in 220 ms instead of 300 ms (bench/reference_audio.py).
    """
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):  # not installed, or its binary was stripped out
        return shutil.which("ffmpeg")


_INPUT_RE = re.compile(r"Input #0, (.+?), from ")
_DURATION_RE = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_AUDIO_RE = re.compile(r"Stream #0:\d+.*?: Audio: (\w+)[^,\n]*, (\d+) Hz, ([^,\n]+)")
_VIDEO_RE = re.compile(r"Stream #0:\d+.*?: Video: (\w+)(?![^\n]*attached pic)")
_CONTAINER_NAMES = {"mov": "MOV", "mp4": "MP4", "webm": "WebM", "mkv": "MKV", "matroska": "MKV",
                    "ogg": "Ogg", "asf": "WMA", "avi": "AVI", "m4a": "M4A"}  # fmt: skip
_CODEC_NAMES = {"aac": "AAC", "mp3": "MP3", "opus": "Opus", "vorbis": "Vorbis", "flac": "FLAC",
                "alac": "ALAC", "ac3": "AC-3", "eac3": "E-AC-3", "amr_nb": "AMR", "amr_wb": "AMR-WB",
                "wmav2": "WMA", "wmav1": "WMA", "pcm_s16le": "PCM", "pcm_f32le": "PCM"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Header:
    container: str
    codec: str | None
    rate: int | None
    channels: int | None
    duration_s: float | None
    has_video: bool


def _parse_header(stderr: str, sniffed: str) -> _Header:
    """Read what ffmpeg printed about the input (this is how we probe without ffprobe)."""
    audio = _AUDIO_RE.search(stderr)
    duration = _DURATION_RE.search(stderr)
    seconds = None
    if duration:
        h, m, s = duration.groups()
        seconds = int(h) * 3600 + int(m) * 60 + float(s)
    container_match = _INPUT_RE.search(stderr)
    return _Header(
        container=container_match[1] if sniffed == "unknown" and container_match else sniffed,
        codec=audio[1] if audio else None,
        rate=int(audio[2]) if audio else None,
        channels=_channel_count(audio[3]) if audio else None,
        duration_s=seconds,
        has_video=bool(_VIDEO_RE.search(stderr)),
    )


def _channel_count(layout: str) -> int | None:
    """ffmpeg's channel layout word -> count ('stereo' 2, '5.1(side)' 6, '3 channels' 3)."""
    layout = layout.strip()
    named = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "downmix": 2}
    if layout in named:
        return named[layout]
    if m := re.match(r"(\d+) channels", layout):
        return int(m[1])
    if m := re.match(r"(\d+)\.(\d+)", layout):
        return int(m[1]) + int(m[2])
    return None


def _format_name(header: _Header) -> str:
    codec = _CODEC_NAMES.get(header.codec or "", (header.codec or "audio").upper())
    container = _CONTAINER_NAMES.get(header.container, header.container.split(",")[0].upper())
    if header.has_video:
        return f"{container} video ({codec} sound)"
    if container in ("MP3", "AAC", "FLAC", "WAV") or container == codec:
        return codec
    return f"{container} ({codec})"


def decode_with_ffmpeg(
    ffmpeg: str, path: Path, sniffed: str, target_rate: int, max_duration_s: float
) -> Decoded:
    """One ffmpeg process: decode the first audio stream, downmix, resample, raw float32 to a pipe."""
    header, samples = _run_ffmpeg(ffmpeg, path, sniffed, target_rate, max_duration_s)
    if header.rate and header.rate < target_rate:  # never upsample: decode again at its own rate
        header, samples = _run_ffmpeg(ffmpeg, path, sniffed, header.rate, max_duration_s)
    rate = min(target_rate, header.rate or target_rate)
    if len(samples) == 0:
        raise AudioInputError(
            "This file contains no audio we could decode. "
            f"Record again or upload another file ({AUDIO_FORMATS_HINT})."
        )
    if len(samples) > max_duration_s * rate + rate:
        raise too_long_error(len(samples) / rate, max_duration_s)
    # browser recordings (MediaRecorder WebM) carry no duration: use what was decoded
    duration = header.duration_s if header.duration_s is not None else len(samples) / rate
    source = SourceInfo(
        _format_name(header), header.rate, header.channels, duration, header.has_video
    )
    return Decoded(samples, rate, source)


def _run_ffmpeg(
    ffmpeg: str, path: Path, sniffed: str, rate: int, max_duration_s: float
) -> tuple[_Header, np.ndarray]:
    """Start ffmpeg, check its description of the input before reading any audio, then read it all."""
    # "file:" + absolute path: a name like "-x.mp3" or "a:b.mp3" must stay a plain file name
    cmd = [ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info",
           "-i", "file:" + str(Path(path).resolve()),
           "-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-ar", str(rate),
           "-t", str(max_duration_s + 1), "-f", "f32le", "-c:a", "pcm_f32le", "pipe:1"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    reader = _StderrReader(proc)
    try:
        reader.header_ready.wait(FFMPEG_TIMEOUT_S)
        header = _parse_header(reader.text(), sniffed)
        if header.duration_s is not None and header.duration_s > max_duration_s + 1:
            raise too_long_error(header.duration_s, max_duration_s)
        raw = proc.stdout.read()
        proc.wait(FFMPEG_TIMEOUT_S)
    except subprocess.TimeoutExpired as err:
        raise AudioInputError(
            "Decoding this file took too long, so it was stopped. Try a shorter clip or a WAV/MP3 file."
        ) from err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        reader.join()
    stderr = reader.text()
    if proc.returncode != 0 and not raw:
        raise _ffmpeg_error(stderr, header)
    usable = len(raw) // 4 * 4
    return header, np.frombuffer(raw[:usable], dtype=np.float32)


class _StderrReader(threading.Thread):
    """Drains ffmpeg's stderr (so it never blocks) and signals once the input has been described."""

    def __init__(self, proc: subprocess.Popen):
        super().__init__(daemon=True)
        self._proc = proc
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self.header_ready = threading.Event()
        self.start()

    def run(self) -> None:
        try:
            for raw in self._proc.stderr:
                line = raw.decode("utf-8", "replace")
                with self._lock:
                    self._lines.append(line)
                if line.startswith(("Stream mapping:", "Output #0")):
                    self.header_ready.set()
        finally:
            self._proc.stderr.close()
            self.header_ready.set()

    def text(self) -> str:
        with self._lock:
            return "".join(self._lines)


def _ffmpeg_error(stderr: str, header: _Header) -> AudioInputError:
    """Turn ffmpeg's complaint into a sentence a person can act on."""
    logger.info("ffmpeg failed: %s", stderr[-500:])
    if "matches no streams" in stderr or "does not contain any stream" in stderr:
        if header.has_video:
            return AudioInputError(
                "This video has no sound track. Upload a recording with someone speaking in it."
            )
        return AudioInputError(
            f"This file has no audio in it. Upload a voice recording ({AUDIO_FORMATS_HINT})."
        )
    return AudioInputError(
        "This file could not be read as audio: it may be damaged or in a format we do not support. "
        f"Record again or upload another file ({AUDIO_FORMATS_HINT})."
    )
