"""Any user audio -> a clean 4-30 s mono reference, plus plain sentences saying what was changed.

Steps: cheap checks (empty, too big, not audio, too long) -> decode to mono at the target rate (never
upsampled) -> remove DC -> find the speech, trim the ends, shorten pauses -> keep the best <= 30 s
window -> level to about -20 LUFS with peaks <= -1 dBFS -> 16-bit WAV + data URI. Results are cached
by the input's content and the settings that shape the output, so a re-click costs nothing.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from components.audio_decode import decode
from components.audio_report import IDEAL_SPEECH, describe, no_speech_error
from components.audio_source import Decoded
from components.audio_level import (
    clipped_share,
    level_to_target,
    wav_bytes,
    wav_samples,
)
from components.audio_speech import NoSpeech, detect_speech, frame_levels, plan_speech
from components.data_uri import DataUri
from components.errors import AudioInputError

logger = logging.getLogger(__name__)

MIN_SPEECH_S = 4.0
MAX_SPEECH_S = 30.0
MAX_INPUT_MINUTES = 10.0
SPLICE_FADE_S = 0.005
"""Short fades where a long pause was cut out, so the join never clicks."""
_HEAD_BYTES = 1 << 16
_PIPELINE_VERSION = 1
"""Part of the cache key: bump it when a change to the processing changes the output."""


@dataclass(frozen=True)
class PreparedReference:
    """A reference clip ready for the API and the offline engine."""

    wav_bytes: bytes = field(repr=False)
    """16-bit mono PCM WAV at `sample_rate`."""
    sample_rate: int
    """The target rate, or the input's own rate when that was lower (never upsampled)."""
    duration_s: float
    sha256: str
    """Hex sha256 of the *input* file's bytes (the cache key)."""
    source: str
    """What the input was, e.g. '44.1 kHz stereo MP3, 62.3 s'."""
    report: tuple[str, ...] = ()
    """Plain sentences saying what was changed, e.g. 'Removed 1.4 s of silence at the start.'"""
    mime_type: str = "audio/wav"
    warnings: tuple[str, ...] = ()
    """The report sentences that are worth a pop-up (clipping, low quality); also in `report`."""
    input_format: str = ""
    """Human name of the input format, e.g. 'MP3', 'WAV (24-bit)', 'WebM (Opus)', 'MP4 video (AAC sound)'."""
    input_rate: int | None = None
    input_channels: int | None = None
    input_duration_s: float | None = None
    kept_window: tuple[float, float] | None = None
    """(start, end) seconds of the input kept when its speech was longer than 30 s, else None."""
    loudness_lufs: float | None = None
    """Integrated loudness of the prepared clip."""

    def data_uri(self) -> DataUri:
        """The clip as a base64 data URI, as the API takes it. Built once per prepared clip: a cached
        reference sent again (another visitor, another click) is not re-encoded."""
        return self._data_uri

    @cached_property
    def _data_uri(self) -> DataUri:
        return DataUri.of(self.mime_type, self.wav_bytes)

    @property
    def footprint_bytes(self) -> int:
        """Memory this clip may hold: its WAV plus, once sent to the API, its data URI."""
        base64_chars = 4 * -(-len(self.wav_bytes) // 3)
        return len(self.wav_bytes) + len(f"data:{self.mime_type};base64,") + base64_chars

    def samples(self) -> np.ndarray:
        """The prepared audio as float32 mono in [-1, 1] (a fresh array)."""
        return wav_samples(self.wav_bytes)

    def __repr__(self) -> str:  # never dump audio bytes into logs
        return (
            f"PreparedReference({self.duration_s:.1f} s, {self.sample_rate} Hz, "
            f"{len(self.wav_bytes)} bytes, source={self.source!r})"
        )


class _ReferenceCache:
    """Thread-safe LRU of prepared references, bounded by entry count and by their total footprint."""

    def __init__(self, max_entries: int = 32, max_bytes: int = 64 << 20):
        self._items: OrderedDict[tuple, PreparedReference] = OrderedDict()
        self._lock = threading.Lock()
        self._preparing: dict[tuple, list] = {}
        """key -> [lock, holders]: the inputs being prepared right now."""
        self._bytes = 0
        self.max_entries, self.max_bytes = max_entries, max_bytes

    def get(self, key: tuple) -> PreparedReference | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple, item: PreparedReference) -> None:
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key).footprint_bytes
            self._items[key] = item
            self._bytes += item.footprint_bytes
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._bytes -= old.footprint_bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @contextmanager
    def one_at_a_time(self, key: tuple) -> Iterator[None]:
        """Held while preparing `key`: visitors who send the same new file at once wait for the first
        one's result instead of each decoding it again (other files are not held up)."""
        with self._lock:
            entry = self._preparing.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._preparing[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


_CACHE = _ReferenceCache()


def clear_cache() -> None:
    """Forget every prepared reference (tests and benchmarks use this to time a cold run)."""
    _CACHE.clear()


def prepare(
    path: str | Path, *, target_rate: int = 24000, max_upload_mb: float = 25.0
) -> PreparedReference:
    """Decode, clean and check a reference recording.

    Args:
        path: any audio file (WAV, MP3, M4A/AAC, OGG, Opus, WebM, FLAC) or a video with sound.
        target_rate: sample rate of the result in Hz; a lower-rate input keeps its own rate.
        max_upload_mb: files larger than this (in MB, 10**6 bytes) are refused before decoding.

    Returns:
        A PreparedReference of 4–30 s of speech, 16-bit mono WAV.

    Raises:
        AudioInputError: with a `user_message` saying what is wrong and what to do.
        FfmpegMissingError: (an AudioInputError) the format needs ffmpeg and none is installed.
    """
    path = Path(path)
    data = _read_checked(path, max_upload_mb)
    digest = hashlib.sha256(data).hexdigest()
    key = (digest, int(target_rate), _PIPELINE_VERSION)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    head = data[:_HEAD_BYTES]
    del data  # the decoders read the file themselves; do not hold 25 MB during decoding
    with _CACHE.one_at_a_time(key):
        cached = _CACHE.get(key)  # prepared by another visitor while this one waited
        if cached is not None:
            return cached
        decoded = decode(path, head, target_rate=target_rate, max_duration_s=MAX_INPUT_MINUTES * 60)
        result = _process(decoded, digest, target_rate)
        _CACHE.put(key, result)
    logger.info("prepared reference %r", result)
    return result


def _read_checked(path: Path, max_upload_mb: float) -> bytes:
    """The file's bytes, after the checks that need no decoding (missing, empty, too big)."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise AudioInputError(
                "The recording is not a file. Record again or choose an audio file."
            )
    except OSError as err:
        raise AudioInputError(
            "The recording could not be found on the server. Record or upload it again."
        ) from err
    if size == 0:
        raise AudioInputError("The file is empty (0 bytes). Record again, or choose another file.")
    if size > max_upload_mb * 1_000_000:
        raise AudioInputError(
            f"The file is {size / 1_000_000:.1f} MB; the limit is {max_upload_mb:g} MB. "
            "Upload a shorter clip: 10–30 seconds of speech is plenty."
        )
    try:
        return path.read_bytes()
    except OSError as err:
        raise AudioInputError("The file could not be read. Upload it again.") from err


def _process(decoded: Decoded, digest: str, target_rate: int) -> PreparedReference:
    """Everything after decoding: clean, find speech, cut, level, encode, describe."""
    samples, rate = _clean(decoded.samples), decoded.sample_rate
    levels = frame_levels(samples, rate)
    try:
        mask = detect_speech(samples, rate, levels)
    except NoSpeech as err:
        raise no_speech_error(err.reason) from err
    plan = plan_speech(levels, mask, rate, MAX_SPEECH_S)
    found_s = plan.kept_samples() / rate
    if found_s < MIN_SPEECH_S:
        raise AudioInputError(
            f"We found only {found_s:.1f} s of speech in this recording; a reference needs "
            f"{MIN_SPEECH_S:g}–{MAX_SPEECH_S:g} s (ideally {IDEAL_SPEECH}). "
            "Record again and speak a little longer."
        )
    kept = _join_pieces(samples, plan.pieces, rate)
    clip_share = clipped_share(kept)
    leveled, change = level_to_target(kept, rate)
    report, warnings = describe(
        decoded, rate, target_rate, plan, MAX_SPEECH_S, change, clip_share, len(kept) / rate
    )
    source = decoded.source
    return PreparedReference(
        wav_bytes=wav_bytes(leveled, rate),
        sample_rate=rate,
        duration_s=round(len(leveled) / rate, 3),
        sha256=digest,
        source=source.describe(),
        report=report,
        warnings=warnings,
        input_format=source.format_name,
        input_rate=source.sample_rate,
        input_channels=source.channels,
        input_duration_s=source.duration_s,
        kept_window=plan.window,
        loudness_lufs=round(change.loudness_after, 1),
    )


def _clean(samples: np.ndarray) -> np.ndarray:
    """Writable float32 copy with NaN/inf zeroed, absurd float values bounded and DC removed."""
    x = np.array(samples, dtype=np.float32, copy=True)
    if len(x) == 0:
        return x
    if not np.isfinite(x.sum(dtype=np.float64)):  # rare: only damaged float files
        np.nan_to_num(x, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    np.clip(x, -8.0, 8.0, out=x)  # float WAVs may exceed 1.0; beyond this it is garbage
    x -= np.float32(x.mean(dtype=np.float64))
    return x


def _join_pieces(samples: np.ndarray, pieces, rate: int) -> np.ndarray:
    """Concatenate the kept ranges, with a few ms of fade at each join so cut pauses never click."""
    fade = max(1, int(SPLICE_FADE_S * rate))
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    parts = []
    for i, (start, end) in enumerate(pieces):
        part = samples[start:end].copy()
        if i > 0 and len(part) > fade:
            part[:fade] *= ramp
        if i < len(pieces) - 1 and len(part) > fade:
            part[-fade:] *= ramp[::-1]
        parts.append(part)
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)
