"""Per-request output files in a private temp folder, pruned by age.

No fixed paths: every clip gets a uuid name, so visitors never overwrite each other. Old files
are removed on the next write, so a long-running Space does not fill its disk.
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
import wave
from pathlib import Path

import numpy as np

DEFAULT_MAX_AGE_S = 3600.0


class OutputFiles:
    """Hands out fresh paths under one folder and deletes files older than `max_age_s`."""

    def __init__(self, root: Path | None = None, max_age_s: float = DEFAULT_MAX_AGE_S):
        self.root = Path(root or Path(tempfile.gettempdir()) / "voice-clone-studio")
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._last_prune = 0.0

    def new_path(self, suffix: str = ".wav") -> Path:
        self._prune()
        return self.root / f"{uuid.uuid4().hex}{suffix}"

    def wav_writer(self) -> WavAccumulator:
        return WavAccumulator(self)

    def _prune(self) -> None:
        now = time.time()
        with self._lock:
            if now - self._last_prune < 60:
                return
            self._last_prune = now
        for path in self.root.iterdir():
            try:
                if now - path.stat().st_mtime > self.max_age_s:
                    path.unlink()
            except OSError:
                pass  # already gone, or in use: the next prune gets it


class WavAccumulator:
    """Collects float32 chunks: each chunk is written as its own WAV (for streaming), then the whole clip."""

    def __init__(self, outputs: OutputFiles):
        self._outputs = outputs
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
        return write_wav(self._outputs.new_path(".wav"), np.concatenate(self._chunks), self._rate)


def write_wav(path: Path, audio: np.ndarray, rate: int) -> Path:
    """float32 [-1, 1] -> 16-bit mono WAV at `path`."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path
