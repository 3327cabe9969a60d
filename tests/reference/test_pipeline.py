"""Reference pipeline, step by step: trimming, pauses, DC, clipping, the 30 s window, the report; hygiene."""

from __future__ import annotations

import inspect
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest

from components.audio.level import (
    frame_length,
    frame_levels,
    frame_power,
    integrated_loudness,
)
from components.audio.prepared import PreparedReference
from components.errors import AudioInputError
from components.reference.pipeline import MAX_SPEECH_S, MIN_SPEECH_S, prepare
from tests import audio_factory as af
from tests.reference.conftest import (
    assert_levelled,
    check_reference,
    silent_video,
    speech_with_gaps,
)

# --- what the pipeline does, step by step -------------------------------------------------------


def test_trims_edges_and_reports_it(tmp_path):
    rate = 24000
    x = np.concatenate([np.zeros(3 * rate), af.speech_samples(8.0, rate), np.zeros(2 * rate)])
    ref = prepare(af.write_wav(tmp_path / "edges.wav", x.astype(np.float32), rate))
    check_reference(ref)
    assert any(
        re.fullmatch(r"Removed (2\.9|3\.\d) s of silence at the start\.", s) for s in ref.report
    )
    assert any(
        re.fullmatch(r"Removed (1\.9|2\.\d) s of silence at the end\.", s) for s in ref.report
    )


def test_quiet_mic_with_hiss_is_trimmed_and_levelled(tmp_path):
    """A fixed dBFS gate fails here: speech at -45 dBFS over a -75 dBFS hiss floor."""
    rate = 48000
    rng = np.random.default_rng(0)
    speech = af.speech_samples(9.0, rate) * 10 ** (-30 / 20)
    x = np.concatenate([np.zeros(2 * rate), speech, np.zeros(2 * rate)])
    x = x + rng.standard_normal(len(x)) * 10 ** (-75 / 20)
    ref = prepare(af.write_wav(tmp_path / "quiet.wav", x.astype(np.float32), rate))
    y = check_reference(ref)
    assert any("louder" in s for s in ref.report)
    assert_levelled(y, 24000)
    assert 8.0 <= ref.duration_s <= 9.5


def test_long_pauses_are_shortened(tmp_path):
    path = speech_with_gaps(tmp_path, [(3.5, 3.0), (3.5, 2.0), (3.5, 0.0)])
    ref = prepare(path)
    check_reference(ref)
    assert any(s.startswith("Shortened 2 long pauses to half a second") for s in ref.report), (
        ref.report
    )
    assert ref.duration_s < 3 * 3.5 + 2 * 0.6


def test_dc_offset_is_removed(tmp_path):
    x = af.speech_samples(6.0, 24000) * 0.5 + 0.3
    ref = prepare(af.write_wav(tmp_path / "dc.wav", x.astype(np.float32), 24000))
    y = check_reference(ref)
    assert abs(float(y.mean())) < 0.005


def test_clipping_is_warned_about(tmp_path):
    x = np.clip(af.speech_samples(8.0, 44100) * 12, -1, 1)
    ref = prepare(af.write_wav(tmp_path / "hot.wav", x.astype(np.float32), 44100))
    check_reference(ref)
    assert any("distorted" in w for w in ref.warnings)
    clean = prepare(af.speech_wav(tmp_path / "clean.wav", 8.0))
    assert not clean.warnings


def test_long_speech_is_cut_to_the_best_window_at_a_pause(tmp_path):
    """45 s of speech: 15 s quiet, then 30 s loud. The loud part is kept, cut at a pause."""
    rate = 24000
    quiet = af.speech_samples(15.0, rate, text="This part is quiet and far away.") * 0.05
    loud = af.speech_samples(29.0, rate, text="This part is loud, close and clear.")
    x = np.concatenate([quiet, np.zeros(int(0.8 * rate)), loud, np.zeros(rate)])
    ref = prepare(af.write_wav(tmp_path / "long.wav", x.astype(np.float32), rate))
    check_reference(ref)
    start, end = ref.kept_window
    assert start >= 15.0 and end <= len(x) / rate + 0.01
    assert ref.duration_s >= 25.0
    sentence = next(s for s in ref.report if "limit: cut to" in s)
    assert re.search(r"cut to \d+\.\d s at a pause, keeping .*\(0:1\d\.\d to 0:4\d\.\d\)", sentence)


def test_pause_free_speech_over_the_limit_is_cut_between_words(tmp_path):
    x = af.speech_samples(70.0, 24000, text="One two three four five six seven eight nine ten")
    ref = prepare(af.write_wav(tmp_path / "run.wav", x, 24000))
    check_reference(ref)
    assert ref.duration_s <= MAX_SPEECH_S and ref.kept_window is not None


def test_report_describes_the_conversion(speech_src, tmp_path):
    ref = prepare(af.transcode(speech_src, tmp_path / "a.mp3", "-ac", "2"))
    assert ref.report[0] == "Converted 44.1 kHz stereo MP3 to 24 kHz mono."
    assert ref.input_format == "MP3" and ref.input_rate == 44100 and ref.input_channels == 2
    assert 11.9 <= ref.input_duration_s <= 12.2
    assert ref.kept_window is None and ref.loudness_lufs is not None
    assert "bytes" in repr(ref) and "UklGR" not in repr(ref)


def test_target_rate_is_configurable(speech_src):
    ref = prepare(speech_src, target_rate=16000)
    check_reference(ref, rate=16000)
    assert ref.report[0] == "Converted 44.1 kHz mono WAV (16-bit) to 16 kHz mono."


def test_thirty_seconds_fit_in_two_megabytes(tmp_path):
    ref = prepare(af.speech_wav(tmp_path / "s.wav", 40.0, 48000))
    assert ref.duration_s <= 30.0
    assert len(ref.data_uri().encode()) <= 2_000_000


def test_awkward_file_names_work(speech_src, tmp_path):
    for name in ["-rm -rf $(whoami); ü 'x\" `y`.m4a", "a:b|c&d.webm", "name with spaces.wav"]:
        suffix = Path(name).suffix
        path = af.transcode(speech_src, tmp_path / ("plain" + suffix)).rename(tmp_path / name)
        check_reference(prepare(path))


# --- hygiene ----------------------------------------------------------------------------------------


def test_no_temp_files_are_left_behind(speech_src, tmp_path, monkeypatch):
    made = [
        af.transcode(speech_src, tmp_path / f"a{s}") for s in (".m4a", ".webm", ".mp3", ".flac")
    ]
    watched = tmp_path / "tmpdir"
    watched.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(watched))
    monkeypatch.setenv("TMPDIR", str(watched))
    for path in made:
        prepare(path)
    with pytest.raises(AudioInputError):
        prepare(silent_video(tmp_path))
    assert list(watched.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted(
        [p.name for p in made] + ["clip.mp4"]
    )


def test_public_surface_is_stable():
    params = inspect.signature(prepare).parameters
    assert list(params)[:3] == ["path", "target_rate", "max_upload_mb"]
    assert params["target_rate"].default == 24000 and params["max_upload_mb"].default == 25.0
    assert (MIN_SPEECH_S, MAX_SPEECH_S) == (4.0, 30.0)
    fields = PreparedReference.__dataclass_fields__
    for name in (
        "wav_bytes",
        "sample_rate",
        "duration_s",
        "sha256",
        "source",
        "report",
        "mime_type",
    ):
        assert name in fields
    ref = PreparedReference(b"RIFF", 24000, 1.0, "0" * 64, "x")
    assert ref.data_uri() == "data:audio/wav;base64,UklGRg=="
    assert ref.data_uri() is ref.data_uri(), "encoded once, not on every submit"


def test_loudness_meter_matches_the_standard():
    """EBU Tech 3341: a 1 kHz sine at -23 dBFS RMS (per channel) reads -23.0 LUFS (mono: same)."""
    rate = 48000
    t = np.arange(rate * 10) / rate
    amplitude = 10 ** (-23 / 20) * np.sqrt(2)
    sine = (amplitude * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    assert abs(integrated_loudness(sine, rate) - (-23.0)) < 0.1


def test_frame_levels_are_rms_per_10_ms_frame_in_dbfs():
    """The one frame measure the reference, stitch, coaching and offline code share."""
    rate = 16000
    t = np.arange(rate) / rate
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)  # RMS 0.5/sqrt(2): -9.03 dBFS
    quiet = np.zeros(rate // 2 + 37, np.float32)  # digital silence, plus a tail shorter than a frame
    levels = frame_levels(np.concatenate([tone, quiet]), rate)
    assert levels.dtype == np.float32 and len(levels) == 150
    assert np.allclose(levels[:100], -9.03, atol=0.01) and np.all(levels[100:] == np.float32(-120.0))
    assert np.allclose(frame_power(tone, frame_length(rate, 0.02)), 0.125, rtol=1e-4)
