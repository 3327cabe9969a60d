"""Reference pipeline: every input format gives a reference, every bad input a specific message.

Fixtures are generated here (Piper speech re-encoded by the real ffmpeg); nothing is mocked and
nothing is timed (speed lives in bench/reference_audio.py).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from components.errors import AudioInputError
from components.reference.pipeline import prepare
from tests import audio_factory as af
from tests.reference.conftest import (
    assert_levelled,
    check_reference,
    silent_video,
    speech_with_gaps,
)

# --- every input format: table-driven ---------------------------------------------------------

FORMATS = [
    # (id, how to make it from the 44.1 kHz speech, expected words in `source`, expected rate)
    ("wav-16bit-mono-44k", lambda s, d: s, "44.1 kHz mono WAV (16-bit)", 24000),
    ("wav-8bit", lambda s, d: af.transcode(s, d / "a.wav", "-c:a", "pcm_u8"), "WAV (8-bit)", 24000),
    (
        "wav-24bit-stereo-96k",
        lambda s, d: af.transcode(s, d / "a.wav", "-ar", "96000", "-ac", "2", "-c:a", "pcm_s24le"),
        "96 kHz stereo WAV (24-bit)",
        24000,
    ),  # fmt: skip
    (
        "wav-32bit-32k",
        lambda s, d: af.transcode(s, d / "a.wav", "-ar", "32000", "-c:a", "pcm_s32le"),
        "32 kHz mono WAV (32-bit)",
        24000,
    ),  # fmt: skip
    (
        "wav-float-6ch-48k",
        lambda s, d: af.transcode(s, d / "a.wav", "-ar", "48000", "-ac", "6", "-c:a", "pcm_f32le"),
        "48 kHz 6-channel WAV (32-bit float)",
        24000,
    ),  # fmt: skip
    ("wav-8k", lambda s, d: af.transcode(s, d / "a.wav", "-ar", "8000"), "8 kHz mono WAV", 8000),
    (
        "wav-16k-stereo",
        lambda s, d: af.transcode(s, d / "a.wav", "-ar", "16000", "-ac", "2"),
        "16 kHz stereo WAV",
        16000,
    ),  # fmt: skip
    (
        "mp3-stereo",
        lambda s, d: af.transcode(s, d / "a.mp3", "-ac", "2"),
        "44.1 kHz stereo MP3",
        24000,
    ),
    ("m4a-aac", lambda s, d: af.transcode(s, d / "a.m4a"), "M4A (AAC)", 24000),
    ("aac-adts", lambda s, d: af.transcode(s, d / "a.aac"), "AAC", 24000),
    (
        "ogg-vorbis",
        lambda s, d: af.transcode(s, d / "a.ogg", "-c:a", "libvorbis"),
        "Ogg Vorbis",
        24000,
    ),
    ("opus", lambda s, d: af.transcode(s, d / "a.opus"), "Opus", 24000),
    (
        "webm-opus",
        lambda s, d: af.transcode(s, d / "a.webm", "-c:a", "libopus"),
        "WebM (Opus)",
        24000,
    ),
    ("flac", lambda s, d: af.transcode(s, d / "a.flac"), "FLAC", 24000),
    ("mp4-video", lambda s, d: af.video_with_audio(s, d / "a.mp4"), "MP4 video (AAC sound)", 24000),
    ("mov-video", lambda s, d: af.video_with_audio(s, d / "a.mov"), "MOV video (AAC sound)", 24000),
    (
        "webm-video",
        lambda s, d: af.video_with_audio(s, d / "a.webm"),
        "WebM video (Opus sound)",
        24000,
    ),
    (
        "m4a-16k",
        lambda s, d: af.transcode(s, d / "a.m4a", "-ar", "16000"),
        "16 kHz mono M4A",
        16000,
    ),
]


@pytest.mark.parametrize(("make", "source_words", "rate"), [f[1:] for f in FORMATS],
                         ids=[f[0] for f in FORMATS])  # fmt: skip
def test_every_format_gives_a_reference(speech_src, tmp_path, make, source_words, rate):
    ref = prepare(make(speech_src, tmp_path))
    x = check_reference(ref, rate=rate)
    assert source_words in ref.source
    assert 10.5 <= ref.duration_s <= 12.1  # all 12 s kept but trimmed edges
    assert_levelled(x, rate)
    if rate < 24000:
        assert any("would not add any detail" in s for s in ref.report)
    if rate < 16000:
        assert any("telephone quality" in s for s in ref.warnings)


# --- every bad input: table-driven ------------------------------------------------------------


def _png(d: Path) -> Path:
    out = d / "photo.png"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=32x32",
                    "-frames:v", "1", str(out)], check=True)  # fmt: skip
    return out


def _jpeg_named_mp3(d: Path) -> Path:
    out = d / "song.mp3"  # a photo with an audio name: the bytes decide
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=32x32",
                    "-frames:v", "1", "-f", "mjpeg", str(out)], check=True)  # fmt: skip
    return out


def _long_opus(d: Path) -> Path:
    """11 minutes of WebM/Opus, made by stream-copying a 10 s clip 66 times (no slow encode)."""
    short = af.transcode(af.speech_wav(d / "ten.wav", 10.0), d / "ten.webm", "-c:a", "libopus")
    out = d / "long.webm"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-stream_loop", "65", "-i", str(short),
                    "-c", "copy", str(out)], check=True)  # fmt: skip
    return out


def _long_wav(d: Path) -> Path:
    return af.silence_wav(d / "long.wav", seconds=610, sample_rate=8000)


def _bytes(name: str, data: bytes):
    def make(d: Path) -> Path:
        (d / name).write_bytes(data)
        return d / name

    return make


BAD_INPUTS = [
    # (id, maker(dir) -> path, kwargs, message pattern)
    ("empty", _bytes("empty.wav", b""), {}, r"empty \(0 bytes\)"),
    (
        "over-cap",
        lambda d: af.speech_wav(d / "big.wav", 30.0, 44100),
        {"max_upload_mb": 1.0},
        r"The file is 2\.6 MB; the limit is 1 MB",
    ),  # fmt: skip
    (
        "text-file",
        _bytes("notes.wav", b"Hello, this is my voice sample.\n"),
        {},
        r"is a text file, not audio",
    ),
    (
        "html",
        _bytes("page.mp3", b"<!DOCTYPE html><html><body>404</body></html>"),
        {},
        r"is a web page \(HTML\), not audio",
    ),  # fmt: skip
    ("png", _png, {}, r"is an image \(PNG\), not audio"),
    ("jpeg-named-mp3", _jpeg_named_mp3, {}, r"is an image \(JPEG\), not audio"),
    (
        "pdf",
        _bytes("doc.wav", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        {},
        r"a PDF document, not audio",
    ),
    ("zip", _bytes("a.m4a", b"PK\x03\x04" + bytes(40)), {}, r"ZIP archive"),
    (
        "random-bytes",
        _bytes("noise.mp3", np.random.default_rng(7).bytes(20000)),
        {},
        r"could not be read as audio",
    ),  # fmt: skip
    (
        "truncated-wav-header",
        _bytes("cut.wav", b"RIFF\x24\x00\x00\x00WAVEfmt "),
        {},
        r"could not be read as audio|no audio",
    ),  # fmt: skip
    ("video-without-sound", silent_video, {}, r"This video has no sound track"),
    ("over-10-minutes-webm", _long_opus, {}, r"11\.0 minutes long; the limit is 10 minutes"),
    ("over-10-minutes-wav", _long_wav, {}, r"10\.2 minutes long; the limit is 10 minutes"),
    ("digital-silence", lambda d: af.silence_wav(d / "s.wav"), {}, r"No speech was found.*silent"),
    (
        "white-noise",
        lambda d: af.noise_wav(d / "n.wav", dbfs=-20),
        {},
        r"No speech was found.*(steady sound|noise)",
    ),  # fmt: skip
    (
        "bursty-noise",
        lambda d: af.write_wav(
            d / "b.wav",
            np.tile(
                np.concatenate(
                    [np.random.default_rng(3).standard_normal(6000) * 0.1, np.zeros(6000)]
                ),
                20,
            ).astype(np.float32),
            24000,
        ),
        {},
        r"No speech was found.*noise",
    ),  # fmt: skip
    (
        "steady-tone",
        lambda d: af.tone_wav(d / "t.wav", 8.0),
        {},
        r"No speech was found.*steady sound",
    ),
    (
        "too-short",
        lambda d: af.speech_wav(d / "short.wav", 2.5),
        {},
        r"found only 2\.\d s of speech.*needs 4–30 s \(ideally 10–25 s\)",
    ),  # fmt: skip
    (
        "short-speech-in-long-silence",
        lambda d: speech_with_gaps(d, [(0.0, 6.0), (3.0, 8.0)]),
        {},
        r"found only [23]\.\d s of speech",
    ),  # fmt: skip
]


@pytest.mark.parametrize(("make", "kwargs", "pattern"), [b[1:] for b in BAD_INPUTS],
                         ids=[b[0] for b in BAD_INPUTS])  # fmt: skip
def test_every_bad_input_gives_a_specific_message(tmp_path, make, kwargs, pattern):
    with pytest.raises(AudioInputError) as info:
        prepare(make(tmp_path), **kwargs)
    message = info.value.user_message
    assert re.search(pattern, message), message
    assert message.endswith(".") and len(message) < 300
    assert "Traceback" not in message and "ffmpeg" not in message.lower()


def test_missing_file_is_an_audio_input_error(tmp_path):
    with pytest.raises(AudioInputError, match="could not be found"):
        prepare(tmp_path / "gone.wav")
