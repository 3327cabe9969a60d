"""Reference audio pipeline: every input format, every bad input, properties, fuzzing, cache.

Fixtures are generated here (Piper speech re-encoded by the real ffmpeg); nothing is mocked and
nothing is timed (speed lives in bench/reference_audio.py).
"""

from __future__ import annotations

import inspect
import io
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import reference_audio as ra
from components.audio_ffmpeg import find_ffmpeg
from components.audio_level import integrated_loudness
from components.errors import AudioInputError, FfmpegMissingError
from components.reference_audio import MAX_SPEECH_S, MIN_SPEECH_S, PreparedReference, prepare
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


def _silent_video(d: Path) -> Path:
    out = d / "clip.mp4"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    "color=c=black:s=64x64:r=5", "-t", "3", str(out)], check=True)  # fmt: skip
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


def _speech_with_gaps(d: Path, pieces: list[tuple[float, float]], rate: int = 24000) -> Path:
    """Speech pieces of the given lengths separated by silences, [(speech_s, silence_after_s)]."""
    parts = []
    for i, (speech_s, silence_s) in enumerate(pieces):
        parts.append(af.speech_samples(speech_s, rate, text=f"Piece number {i + 1} of this test."))
        parts.append(np.zeros(int(silence_s * rate), np.float32))
    return af.write_wav(d / "gaps.wav", np.concatenate(parts), rate)


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
    ("video-without-sound", _silent_video, {}, r"This video has no sound track"),
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
        lambda d: _speech_with_gaps(d, [(0.0, 6.0), (3.0, 8.0)]),
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
    path = _speech_with_gaps(tmp_path, [(3.5, 3.0), (3.5, 2.0), (3.5, 0.0)])
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


# --- cache: keyed by content and settings, bounded, thread-safe ----------------------------------


def test_same_content_is_prepared_once(speech_src, tmp_path):
    copy = tmp_path / "copy.wav"
    copy.write_bytes(speech_src.read_bytes())
    first = prepare(speech_src)
    assert prepare(copy) is first
    other_rate = prepare(copy, target_rate=16000)
    assert other_rate is not first and other_rate.sample_rate == 16000


def test_cache_is_bounded_by_entries_and_bytes():
    cache = ra._ReferenceCache(max_entries=2, max_bytes=1000)

    def item(n: int) -> PreparedReference:
        return PreparedReference(bytes(n), 24000, 1.0, "0" * 64, "test")

    cache.put(("a",), item(100))
    cache.put(("b",), item(100))
    cache.get(("a",))  # a is now the most recent
    cache.put(("c",), item(100))
    assert cache.get(("b",)) is None and cache.get(("a",)) and cache.get(("c",))
    assert item(400).footprint_bytes == 400 + 536 + len("data:audio/wav;base64,")  # the WAV and its data URI
    cache.put(("d",), item(400))
    assert len(cache) == 1 and cache.get(("d",))


def test_many_visitors_at_once(speech_src, tmp_path):
    paths = [
        af.transcode(speech_src, tmp_path / f"v{i}{s}")
        for i, s in enumerate([".mp3", ".wav", ".m4a"])
    ]
    results: dict[int, list] = {i: [] for i in range(len(paths))}
    errors: list[BaseException] = []

    def visitor(k: int) -> None:
        try:
            for i, path in enumerate(paths[k % 3 :] + paths[: k % 3]):
                results[(i + k % 3) % 3].append(prepare(path))
        except BaseException as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=visitor, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for refs in results.values():
        assert len(refs) == 6 and len({r.wav_bytes for r in refs}) == 1


def test_the_same_new_file_from_many_visitors_at_once_is_decoded_once(speech_src, tmp_path, monkeypatch):
    decodes: list[str] = []
    real_decode = ra.decode

    def counting_decode(path, *args, **kwargs):
        decodes.append(str(path))
        time.sleep(0.2)  # long enough that every visitor arrives while the first is still decoding
        return real_decode(path, *args, **kwargs)

    monkeypatch.setattr(ra, "decode", counting_decode)
    copies = []
    for k in range(8):  # each visitor's upload is its own file with the same bytes
        copies.append(tmp_path / f"upload{k}.wav")
        copies[-1].write_bytes(speech_src.read_bytes())
    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(prepare, copies))
    assert len(decodes) == 1, f"decoded {len(decodes)} times"
    assert all(ref is refs[0] for ref in refs)
    assert not ra._CACHE._preparing, "no lock is left behind"


def test_a_failed_preparation_does_not_block_the_next_visitor(tmp_path):
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(16000 * 6, np.float32), 16000)
    for _ in range(2):  # the second attempt gets the same message, not a hang
        with pytest.raises(AudioInputError):
            prepare(silent)
    assert not ra._CACHE._preparing


# --- properties -----------------------------------------------------------------------------------

segment = st.tuples(
    st.floats(0.3, 9.0),  # speech seconds
    st.floats(0.0, 2.5),  # silence after it
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    segments=st.lists(segment, min_size=1, max_size=5),
    lead_s=st.floats(0.0, 3.0),
    gain_db=st.floats(-40.0, 6.0),
    hiss_db=st.one_of(st.none(), st.floats(-80.0, -60.0)),
    rate=st.sampled_from([24000, 44100, 48000]),
    stereo=st.booleans(),
)
def test_whatever_is_accepted_is_a_clean_reference(
    segments, lead_s, gain_db, hiss_db, rate, stereo
):
    parts = [np.zeros(int(lead_s * rate), np.float32)]
    for i, (speech_s, silence_s) in enumerate(segments):
        parts.append(
            af.speech_samples(round(speech_s, 1), rate, text=f"Part {i % 3}, said clearly.")
        )
        parts.append(np.zeros(int(silence_s * rate), np.float32))
    x = np.concatenate(parts) * 10 ** (gain_db / 20)
    if hiss_db is not None:
        x = x + np.random.default_rng(1).standard_normal(len(x)) * 10 ** (hiss_db / 20)
    x = np.clip(x, -1, 1).astype(np.float32)
    if stereo:
        x = np.stack([x, x * 0.5], axis=1)
    speech_total = sum(round(s, 1) for s, _ in segments)
    with tempfile.TemporaryDirectory() as tmp:
        path = af.write_wav(Path(tmp) / "p.wav", x, rate)
        try:
            ref = prepare(path)
        except AudioInputError as err:
            assert re.search(
                r"found only \d+\.\d s of speech|No speech was found", err.user_message
            )
            assert speech_total < MIN_SPEECH_S + 3.5, (speech_total, err.user_message)
            return
    check_reference(ref)
    assert speech_total >= MIN_SPEECH_S - 1.0


FUZZ_PREFIXES = [b"", b"RIFF\x10\x00\x00\x00WAVEfmt ", b"ID3\x03\x00", b"\xff\xfb\x90\x00", b"OggS\x00",
                 b"fLaC\x00\x00\x00\x22", b"\x1a\x45\xdf\xa3", b"\x00\x00\x00\x18ftypM4A ", b"\xff\xf1"]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(FUZZ_PREFIXES), body=st.binary(min_size=0, max_size=6000))
def test_arbitrary_bytes_raise_only_audio_input_error(prefix, body):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.bin"
        path.write_bytes(prefix + body)
        try:
            ref = prepare(path)
        except AudioInputError as err:
            assert err.user_message.endswith(".")
        else:  # random bytes that decode to 4 s of "speech" are still a valid reference
            check_reference(ref, rate=ref.sample_rate)


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
        prepare(_silent_video(tmp_path))
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
