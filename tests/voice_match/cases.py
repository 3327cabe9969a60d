"""Real speech from shared/voices, and damaged samples built from it (for tests and the bench).

shared/ sits beside the repository (CI copies it there): `<repo>/../shared/voices`. The readings
are LibriSpeech (CC BY 4.0, see shared/voices/README.md).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf

from components.voice_match.features import active_level_db

REPO = Path(__file__).resolve().parents[2]
VOICES = REPO.parent / "shared" / "voices"
RATE = 16000
"""Every file in shared/voices is 16 kHz mono FLAC."""


@lru_cache(maxsize=1)
def manifest() -> dict:
    return json.loads((VOICES / "manifest.json").read_text())


def speakers() -> list[dict]:
    """The 12 single-speaker entries: file, speaker, sex, seconds, median_f0_hz."""
    return manifest()["speakers"]


def same_speaker_sets() -> dict[str, list[str]]:
    """speaker id -> 3 files of that speaker (relative to VOICES)."""
    return manifest()["same_speaker"]


def sex_of(speaker: str) -> str:
    for entry in speakers():
        if entry["speaker"] == speaker:
            return entry["sex"]
    return manifest()["same_speaker_sex"][speaker]


@lru_cache(maxsize=64)
def _read(relative: str) -> np.ndarray:
    samples, rate = sf.read(VOICES / relative, dtype="float32")
    assert rate == RATE and samples.ndim == 1, f"{relative}: expected 16 kHz mono"
    samples.setflags(write=False)
    return samples


def load(relative: str) -> np.ndarray:
    """A reading as float32 mono at RATE (a fresh copy)."""
    return _read(relative).copy()


def all_files() -> list[str]:
    """Every reading: the 12 speakers, then the 12 same-speaker files."""
    files = [entry["file"] for entry in speakers()]
    return files + [f for group in same_speaker_sets().values() for f in group]


def joined(first: np.ndarray, second: np.ndarray, seconds: float = 6.0) -> np.ndarray:
    """The first `seconds` of each, one after the other (two people taking turns)."""
    n = int(seconds * RATE)
    return np.concatenate([first[:n], second[:n]])


def with_noise(x: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """White noise `snr_db` below the speech's active level (pauses excluded from the level)."""
    noise = np.random.default_rng(seed).standard_normal(len(x)).astype(np.float32)
    level = active_level_db(x, RATE)
    return x + noise * np.float32(10 ** ((level - snr_db) / 20))


def with_tone(x: np.ndarray, below_db: float, hz: float = 440.0) -> np.ndarray:
    """A steady sine `below_db` under the speech's active level (RMS against RMS)."""
    level = active_level_db(x, RATE)
    t = np.arange(len(x)) / RATE
    amplitude = np.sqrt(2) * 10 ** ((level - below_db) / 20)
    return x + (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def music(n: int, seed: int = 0) -> np.ndarray:
    """Synthetic music at unit RMS: plucked notes of a C major scale with 4 harmonics and a bass
    two octaves down, a new note every 0.4 s."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(0.4 * RATE)) / RATE
    envelope = np.exp(-3 * t) * (1 - np.exp(-200 * t))
    notes = []
    while sum(len(note) for note in notes) < n:
        f = 261.63 * 2 ** (rng.choice([0, 2, 4, 5, 7, 9, 11, 12]) / 12)
        tone = sum(np.sin(2 * np.pi * f * h * t) / h for h in range(1, 5))
        notes.append((tone + 0.5 * np.sin(2 * np.pi * f / 4 * t)) * envelope)
    y = np.concatenate(notes)[:n]
    return (y / np.sqrt(np.mean(y**2))).astype(np.float32)


def with_music(x: np.ndarray, below_db: float) -> np.ndarray:
    """Synthetic music `below_db` under the speech's active level."""
    level = active_level_db(x, RATE)
    return x + music(len(x)) * np.float32(10 ** ((level - below_db) / 20))


def clipped(x: np.ndarray, over: float = 3.0) -> np.ndarray:
    """Too loud for the recorder: peaks driven to `over` times full scale, then cut off there."""
    return np.clip(x * np.float32(over / np.max(np.abs(x))), -1.0, 1.0).astype(np.float32)


def scaled_to(x: np.ndarray, level_db: float) -> np.ndarray:
    """The reading with its active speech level set to `level_db` dBFS."""
    return (x * np.float32(10 ** ((level_db - active_level_db(x, RATE)) / 20))).astype(np.float32)
