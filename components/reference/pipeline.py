"""Any user audio -> a clean 4-30 s mono reference, plus plain sentences saying what was changed.

Steps: cheap checks (empty, too big, not audio, too long) -> decode to mono at the target rate (never
upsampled) -> remove DC -> find the speech, trim the ends, shorten pauses -> keep the best <= 30 s
window -> level to about -20 LUFS with peaks <= -1 dBFS -> 16-bit WAV + data URI. Results are cached
by the input's content and the settings that shape the output, so a re-click costs nothing.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from components.audio.level import (
    clipped_share,
    frame_levels,
    level_to_target,
    wav_bytes,
)
from components.audio.prepared import PreparedReference
from components.audio.source import Decoded
from components.errors import AudioInputError
from components.reference.cache import ReferenceCache
from components.reference.decode import decode
from components.reference.report import IDEAL_SPEECH, describe, no_speech_error
from components.reference.speech import (
    NoSpeech,
    detect_speech,
    plan_speech,
)

logger = logging.getLogger(__name__)

MIN_SPEECH_S = 4.0
MAX_SPEECH_S = 30.0
MAX_INPUT_MINUTES = 10.0
SPLICE_FADE_S = 0.005
"""Short fades where a long pause was cut out, so the join never clicks."""
_HEAD_BYTES = 1 << 16
_PIPELINE_VERSION = 1
"""Part of the cache key: bump it when a change to the processing changes the output."""


_CACHE = ReferenceCache()


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
