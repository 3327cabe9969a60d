"""Per-request output files in a private temp folder, pruned by age.

No fixed paths: every clip gets a uuid name, so visitors never overwrite each other. Old files
are removed on the next write, so a long-running Space does not fill its disk.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
import uuid
import wave
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


def write_wav(path: Path, audio: np.ndarray, rate: int) -> Path:
    """float32 [-1, 1] -> 16-bit mono WAV at `path`."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path
