"""Shared by the reference-pipeline tests: a cold cache per test, real speech, the invariants."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from components.audio.level import integrated_loudness
from components.audio.prepared import PreparedReference
from components.reference import pipeline as ra
from components.reference.pipeline import MAX_SPEECH_S, MIN_SPEECH_S
from tests import audio_factory as af

PAD_LIMIT_S = 0.3
"""Most silence allowed before the first and after the last word of a prepared reference."""


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test sees a cold cache, so it exercises the pipeline rather than an earlier result."""
    ra.clear_cache()
    yield
    ra.clear_cache()


@pytest.fixture(scope="module")
def speech_src(tmp_path_factory) -> Path:
    """12 s of real speech at 44.1 kHz: the source every format is made from."""
    return af.speech_wav(tmp_path_factory.mktemp("src") / "speech.wav", 12.0, 44100)


def assert_levelled(x: np.ndarray, rate: int) -> None:
    """About -20 LUFS, or quieter only because the gain stopped with the loudest peak at -1 dBFS.

    (The test speech is Piper's, peak-normalised, with durations drawn at random: its crest factor,
    and so how far the peak ceiling holds the gain back, varies from run to run.)
    """
    loudness, peak_db = integrated_loudness(x, rate), 20 * np.log10(np.max(np.abs(x)))
    assert peak_db <= -0.9 and loudness <= -19.0
    assert loudness >= -21.0 or peak_db >= -1.2, (loudness, peak_db)


def check_reference(ref: PreparedReference, *, rate: int = 24000) -> np.ndarray:
    """The invariants every accepted reference has; returns its samples."""
    assert isinstance(ref, PreparedReference)
    data, file_rate = sf.read(io.BytesIO(ref.wav_bytes), dtype="float32", always_2d=True)
    info = sf.info(io.BytesIO(ref.wav_bytes))
    assert info.subtype == "PCM_16" and info.channels == 1
    assert file_rate == ref.sample_rate == rate
    assert MIN_SPEECH_S <= ref.duration_s <= MAX_SPEECH_S
    assert abs(len(data) / rate - ref.duration_s) < 0.01
    assert ref.data_uri().startswith("data:audio/wav;base64,UklGR")  # "RIFF"
    assert np.allclose(ref.samples(), data[:, 0], atol=1e-4)
    assert float(np.max(np.abs(data))) <= 10 ** (-1 / 20) + 1e-3  # peak <= -1 dBFS
    assert all(s and s[0].isupper() and s.endswith(".") for s in ref.report)
    assert set(ref.warnings) <= set(ref.report)
    assert len(ref.sha256) == 64
    lead, tail = edge_silence(data[:, 0], rate)
    assert lead <= PAD_LIMIT_S and tail <= PAD_LIMIT_S, (lead, tail)
    return data[:, 0]


def edge_silence(x: np.ndarray, rate: int) -> tuple[float, float]:
    """Seconds before the first / after the last 10 ms frame within 35 dB of the loudest frame."""
    hop = rate // 100
    frames = x[: len(x) // hop * hop].reshape(-1, hop)
    db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(db > db.max() - 35)
    return loud[0] * 0.01, (len(db) - 1 - loud[-1]) * 0.01


def silent_video(d: Path) -> Path:
    out = d / "clip.mp4"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    "color=c=black:s=64x64:r=5", "-t", "3", str(out)], check=True)  # fmt: skip
    return out


def speech_with_gaps(d: Path, pieces: list[tuple[float, float]], rate: int = 24000) -> Path:
    """Speech pieces of the given lengths separated by silences, [(speech_s, silence_after_s)]."""
    parts = []
    for i, (speech_s, silence_s) in enumerate(pieces):
        parts.append(af.speech_samples(speech_s, rate, text=f"Piece number {i + 1} of this test."))
        parts.append(np.zeros(int(silence_s * rate), np.float32))
    return af.write_wav(d / "gaps.wav", np.concatenate(parts), rate)
