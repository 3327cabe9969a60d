"""Reference decoding and ffmpeg: only the ffmpeg binary is needed; WAV and friends work without it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from components.audio.ffmpeg import find_ffmpeg
from components.errors import FfmpegMissingError
from components.reference.pipeline import prepare
from tests import audio_factory as af
from tests.reference.conftest import (
    check_reference,
)

# --- ffmpeg: only the ffmpeg binary is needed; WAV and friends work without it -------------------


def _only_dir_on_path(monkeypatch, directory: Path):
    monkeypatch.setenv("PATH", str(directory))
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if not installed


def test_the_bundled_static_ffmpeg_is_preferred_and_the_system_one_is_the_fallback(tmp_path, monkeypatch):
    import imageio_ffmpeg

    assert find_ffmpeg() == imageio_ffmpeg.get_ffmpeg_exe()  # pinned in requirements.txt, starts fast
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ffmpeg").symlink_to("/usr/bin/ffmpeg")
    _only_dir_on_path(monkeypatch, bin_dir)
    assert find_ffmpeg() == str(bin_dir / "ffmpeg")


def test_works_with_ffmpeg_but_no_ffprobe(speech_src, tmp_path, monkeypatch):
    made = {s: af.transcode(speech_src, tmp_path / f"a{s}") for s in (".m4a", ".webm", ".mp3")}
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ffmpeg").symlink_to("/usr/bin/ffmpeg")
    _only_dir_on_path(monkeypatch, bin_dir)
    for path in made.values():
        check_reference(prepare(path))


def test_without_ffmpeg_wav_still_works_and_m4a_says_why_not(speech_src, tmp_path, monkeypatch):
    m4a = af.transcode(speech_src, tmp_path / "a.m4a")
    flac = af.transcode(speech_src, tmp_path / "a.flac")
    mp3 = af.transcode(speech_src, tmp_path / "a.mp3")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    _only_dir_on_path(monkeypatch, empty)
    for path in (speech_src, flac, mp3):
        check_reference(prepare(path))
    with pytest.raises(FfmpegMissingError, match="needs ffmpeg.*not installed.*Upload a WAV"):
        prepare(m4a)
