"""Any audio (or video) file -> mono float32 samples, with cheap checks first and ffmpeg only if needed.

WAV, FLAC, MP3 and Ogg (Vorbis/Opus) decode in-process with libsndfile (no process start, no ffmpeg
needed). Everything else (M4A/AAC, WebM, MP4/MOV video...) goes through one ffmpeg process that
downmixes and resamples and streams raw float32 to us: only an `ffmpeg` binary is needed, never
ffprobe (imageio-ffmpeg ships none). Every failure becomes an AudioInputError with a plain message.
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

from components.audio_resample import resample
from components.audio_sniff import AUDIO_FORMATS_HINT, sniff_container
from components.errors import AudioInputError, FfmpegMissingError

logger = logging.getLogger(__name__)

FFMPEG_TIMEOUT_S = 120.0
"""A decode that takes longer than this is stuck (a 10-minute file takes about a second)."""
_SNDFILE_CONTAINERS = frozenset({"wav", "flac", "mp3", "ogg", "aiff", "caf"})
_READ_BLOCK_FRAMES = 1 << 18


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What the input file was, for the report ("44.1 kHz stereo MP3, 62.3 s")."""

    format_name: str
    """Human name of the format, e.g. 'MP3', 'WAV (24-bit)', 'WebM (Opus)', 'MP4 video'."""
    sample_rate: int | None
    channels: int | None
    duration_s: float | None
    has_video: bool = False

    def describe(self) -> str:
        """One phrase: '44.1 kHz stereo MP3, 62.3 s'."""
        parts = [p for p in (format_rate(self.sample_rate), channel_word(self.channels)) if p]
        text = " ".join([*parts, self.format_name])
        if self.duration_s is not None:
            text += f", {self.duration_s:.1f} s"
        return text


@dataclass(frozen=True, slots=True)
class Decoded:
    samples: np.ndarray
    """float32 mono, DC not yet removed."""
    sample_rate: int
    source: SourceInfo


def format_rate(rate: int | None) -> str:
    """44100 -> '44.1 kHz', 24000 -> '24 kHz'."""
    if not rate:
        return ""
    return f"{rate / 1000:.1f}".rstrip("0").rstrip(".") + " kHz"


def channel_word(channels: int | None) -> str:
    return {None: "", 1: "mono", 2: "stereo"}.get(channels, f"{channels}-channel")


def find_ffmpeg() -> str | None:
    """The system ffmpeg if on PATH, else imageio-ffmpeg's bundled binary if installed, else None."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # package present but its binary was stripped out
        return None


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
    if container in _SNDFILE_CONTAINERS:
        decoded = _decode_with_sndfile(path, container, target_rate, max_duration_s)
        if decoded is not None:
            return decoded
    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        raise FfmpegMissingError(
            "This file needs ffmpeg to be decoded, and ffmpeg is not installed on the server. "
            "Upload a WAV file instead, or ask the administrator to install ffmpeg."
        )
    return _decode_with_ffmpeg(ffmpeg, path, container, target_rate, max_duration_s)


def _too_long(duration_s: float, max_duration_s: float) -> AudioInputError:
    return AudioInputError(
        f"This recording is {duration_s / 60:.1f} minutes long; the limit is "
        f"{max_duration_s / 60:.0f} minutes. Upload a shorter clip: 10–30 seconds of speech is ideal."
    )


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
            raise _too_long(duration, max_duration_s)
        mono = _read_mono(path, info, max_duration_s)
    except (RuntimeError, ValueError, TypeError, OSError, EOFError) as err:
        # libsndfile could not parse it (odd codec, damaged header): ffmpeg may still manage
        logger.info("libsndfile could not read %s (%s); trying ffmpeg", container, err)
        return None
    source = SourceInfo(_sndfile_name(info), info.samplerate, info.channels, len(mono) / info.samplerate)
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
                raise _too_long((filled + n) / info.samplerate, max_duration_s)
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


# --- ffmpeg decoding ----------------------------------------------------------------------------

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


def _decode_with_ffmpeg(
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
        raise _too_long(len(samples) / rate, max_duration_s)
    source = SourceInfo(
        _format_name(header), header.rate, header.channels, header.duration_s, header.has_video
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
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader = _StderrReader(proc)
    try:
        reader.header_ready.wait(FFMPEG_TIMEOUT_S)
        header = _parse_header(reader.text(), sniffed)
        if header.duration_s is not None and header.duration_s > max_duration_s + 1:
            raise _too_long(header.duration_s, max_duration_s)
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
