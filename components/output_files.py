"""Per-request output files in a private temp folder, pruned by age.

No fixed paths: every clip gets a uuid name, so visitors never overwrite each other. Old files
are removed on the next write, so a long-running Space does not fill its disk.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
import time
import uuid
import wave
from collections.abc import Iterable
from pathlib import Path

import numpy as np

DEFAULT_MAX_AGE_S = 3600.0
NAME_WORDS_CHARS = 40
"""How much of the text a clip's file name keeps."""


def clip_file_name(text: str, language: str, emotion: str) -> str:
    """A download name a person recognises: 'hello-there-how-are-you-english-happy'."""
    words = re.sub(r"[^\w]+", "-", text.lower()).strip("-_")[:NAME_WORDS_CHARS].rstrip("-_")
    return f"{words or 'clip'}-{language}-{emotion}"


class OutputFiles:
    """Hands out fresh paths under one folder and deletes files older than `max_age_s`."""

    def __init__(self, root: Path | None = None, max_age_s: float = DEFAULT_MAX_AGE_S):
        self.root = Path(root or Path(tempfile.gettempdir()) / "voice-clone-studio")
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._last_prune = 0.0

    def new_path(self, suffix: str = ".wav", name: str | None = None) -> Path:
        """A fresh path; with `name`, the file keeps that name inside its own fresh folder."""
        self._prune()
        if name is None:
            return self.root / f"{uuid.uuid4().hex}{suffix}"
        folder = self.root / uuid.uuid4().hex
        folder.mkdir()
        return folder / f"{name}{suffix}"

    def wav_writer(self, name: str | None = None) -> WavAccumulator:
        """Collects a clip sentence by sentence; the finished clip is saved under `name`."""
        return WavAccumulator(self, name)

    def _prune(self) -> None:
        now = time.time()
        with self._lock:
            if now - self._last_prune < 60:
                return
            self._last_prune = now
        for path in self.root.iterdir():
            try:
                if now - path.stat().st_mtime > self.max_age_s:
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
            except OSError:
                pass  # already gone, or in use: the next prune gets it


class WavAccumulator:
    """Collects float32 chunks: each chunk is written as its own WAV (for streaming), then the whole clip."""

    def __init__(self, outputs: OutputFiles, name: str | None = None):
        self._outputs = outputs
        self._name = name
        self._chunks: list[np.ndarray] = []
        self._rate: int | None = None

    def append(self, samples: np.ndarray, sample_rate: int) -> Path:
        """Add a chunk and return a WAV file holding just that chunk."""
        if self._rate is not None and sample_rate != self._rate:
            raise ValueError(f"chunk at {sample_rate} Hz after chunks at {self._rate} Hz")
        self._rate = sample_rate
        chunk = np.asarray(samples, dtype=np.float32).reshape(-1)
        self._chunks.append(chunk)
        return write_wav(self._outputs.new_path(".wav"), chunk, sample_rate)

    def finish(self) -> Path:
        """Write the whole clip so far to a new file."""
        if self._rate is None:
            raise ValueError("no audio was produced")
        return write_wav(self._outputs.new_path(".wav", self._name), np.concatenate(self._chunks), self._rate)


def write_wav(path: Path, audio: np.ndarray | Iterable[np.ndarray], rate: int) -> Path:
    """float32 [-1, 1] -> 16-bit mono WAV at `path`; `audio` may be a list of chunks written in turn
    (a long clip is never copied into one more array just to be saved)."""
    chunks = [audio] if isinstance(audio, np.ndarray) else audio
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        for chunk in chunks:
            out.writeframes((np.clip(chunk, -1.0, 1.0) * 32767.0).astype("<i2").tobytes())
    return path

class WavStream:
    """A 16-bit mono WAV written chunk by chunk as a long clip is stitched, so the whole clip is never
    held in memory; the header is completed on `close`."""

    def __init__(self, path: Path):
        self.path = path
        self._out: wave.Wave_write | None = None

    def write(self, samples: np.ndarray, rate: int) -> None:
        if self._out is None:
            self._out = wave.open(str(self.path), "wb")
            self._out.setnchannels(1)
            self._out.setsampwidth(2)
            self._out.setframerate(rate)
        self._out.writeframes((np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes())

    def close(self) -> Path:
        if self._out is not None:
            self._out.close()
        return self.path


MP3_BITRATE = "64k"
"""Mono speech: 64 kbit/s is transparent enough and a tenth of the 16-bit WAV."""


def other_format(clip: Path) -> Path | None:
    """The clip in the other download format, beside it: a WAV clip gets an MP3, anything else a WAV.

    The MP3 is encoded by pydub (which hands it to ffmpeg); other formats are decoded in-process.
    None when that is not possible here (the page then offers the clip as it is).
    """
    try:
        if clip.suffix.lower() == ".wav":
            return _mp3_of(clip)
        import soundfile

        audio, rate = soundfile.read(str(clip), dtype="float32", always_2d=True)
        return write_wav(clip.with_suffix(".wav"), audio.mean(axis=1), rate)
    except Exception:  # noqa: BLE001 - a convenience copy; the clip itself is already delivered
        logging.getLogger(__name__).exception("could not convert %s", clip.name)
        return None


def _mp3_of(wav: Path) -> Path | None:
    import warnings

    from components.audio.ffmpeg import find_ffmpeg

    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # pydub's "ffmpeg not on PATH": it is set below
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg
    target = wav.with_suffix(".mp3")
    AudioSegment.from_wav(str(wav)).export(str(target), format="mp3", bitrate=MP3_BITRATE)
    return target
