"""Offline engine: every language speaks, emotions move prosody the right way, matching moves
the voice toward the reference, bad input is refused clearly. No timing assertions here
(bench/local_engine.py measures speed)."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import threading
import time
import wave

import numpy as np
import pytest

from components.audio.prepared import PreparedReference
from components.errors import AudioInputError, EngineUnavailableError, InputError
from components.offline import matching, praat
from components.offline import text as offline_text
from components.offline.engine import LocalEngine, SpeechChunk
from components.offline.voices import PiperJoe
from components.settings import EMOTIONS, LANGUAGES
from tests.audio_factory import prepared_reference

RATE = 22050
REFERENCE_TEXT = (
    "Yesterday I went to the market and bought fresh bread, some cheese and a basket of red "
    "apples. Then I walked home slowly along the river, watching the boats go by."
)


def join(chunks) -> np.ndarray:
    return np.concatenate([chunk.samples for chunk in chunks])


def median_f0(samples: np.ndarray, rate: int = RATE) -> float:
    f0 = praat.pitch_track(samples, rate, 60.0, 500.0)
    return float(np.median(f0[f0 > 0]))


def spread_st(samples: np.ndarray, rate: int = RATE) -> float:
    f0 = praat.pitch_track(samples, rate, 60.0, 500.0)
    st = 12 * np.log2(f0[f0 > 0])
    return float(np.percentile(st, 84) - np.percentile(st, 16)) / 2


def active_rms(samples: np.ndarray) -> float:
    frames = samples[: len(samples) // 441 * 441].reshape(-1, 441)
    rms = np.sqrt((frames**2).mean(axis=1))
    return float(np.sqrt(np.mean(rms[rms > rms.max() * 0.03] ** 2)))


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine()


@pytest.fixture(scope="module")
def female_reference(engine) -> PreparedReference:
    _, espeak = engine._voices()
    return prepared_reference(espeak.synthesize(REFERENCE_TEXT, "en-us+f3"))


@pytest.fixture(scope="module")
def male_reference(engine) -> PreparedReference:
    _, espeak = engine._voices()
    return prepared_reference(espeak.synthesize(REFERENCE_TEXT, "en-us+m3"))


def test_import_is_cheap():
    code = (
        "import sys, components.offline.engine; "
        "print(sorted(m for m in ('onnxruntime', 'parselmouth', 'piper', 'pykakasi') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_surface(engine):
    assert engine.is_available()
    for name in ("is_available", "start_warmup", "is_loaded", "voice_note", "synthesize"):
        assert callable(getattr(engine, name))
    assert {"samples", "sample_rate", "text"} <= set(SpeechChunk.__dataclass_fields__)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_speaks_with_a_fitting_length(engine, language):
    sentence = offline_text.SAMPLE_SENTENCES[language]
    chunks = list(engine.synthesize(sentence, language=language, emotion="neutral", reference=None))
    audio = join(chunks)
    assert all(c.sample_rate == RATE and c.samples.dtype == np.float32 for c in chunks)
    duration = len(audio) / RATE
    # Every sample sentence says the same ~13 words; spelled-out text ("Chinese letter",
    # unvowelled Arabic letter by letter) measured 10-17 s, plain speech 3.5-6 s.
    assert 2.5 < duration < 8.0, f"{language}: {duration:.1f} s"
    assert active_rms(audio) > 0.03
    assert median_f0(audio) > 60  # voiced speech, not noise or silence


def test_japanese_kanji_and_chinese_hanzi_become_speech():
    kana = offline_text.speakable("私は東京の大学で日本語を勉強しています。", "japanese")
    assert not offline_text.has_kanji(kana)
    assert "とうきょう" in kana
    # Chinese keeps its hanzi: espeak-ng 1.52's cmn dictionary reads them (checked in the
    # length test above: 14 hanzi -> about 4 s, not letter names).
    assert offline_text.speakable("今天天气很好。", "chinese") == "今天天气很好。"


def test_missing_kanji_dictionary_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(offline_text, "_kakasi", None)
    monkeypatch.setitem(sys.modules, "pykakasi", None)  # makes `import pykakasi` fail
    with pytest.raises(EngineUnavailableError, match="pykakasi"):
        offline_text.speakable("東京", "japanese")


def test_arabic_is_vowelled_before_speaking():
    vowelled = offline_text.speakable("مرحبا كيف حالك اليوم", "arabic")
    assert any("\u064b" <= ch <= "\u0652" for ch in vowelled)


@pytest.mark.parametrize("emotion", [e for e in EMOTIONS if e != "neutral"])
def test_emotion_moves_pitch_range_rate_and_level_the_right_way(engine, emotion):
    text = offline_text.SAMPLE_SENTENCES["english"]
    neutral = join(engine.synthesize(text, language="english", emotion="neutral", reference=None))
    moved = join(engine.synthesize(text, language="english", emotion=emotion, reference=None))
    preset = matching.EMOTION_PROSODY[emotion]
    shift = 12 * np.log2(median_f0(moved) / median_f0(neutral))
    assert np.sign(shift) == np.sign(preset.pitch_st), f"pitch moved {shift:+.1f} st"
    assert abs(shift - preset.pitch_st) < 1.5
    # Piper samples phoneme lengths at random (a few % per clip, unseedable), so the rate is
    # measured on espeak-ng, whose timing is deterministic.
    german = offline_text.SAMPLE_SENTENCES["german"]
    plain = join(engine.synthesize(german, language="german", emotion="neutral", reference=None))
    paced = join(engine.synthesize(german, language="german", emotion=emotion, reference=None))
    assert len(paced) / len(plain) == pytest.approx(1 / preset.rate, rel=0.03)
    spread_ratio = spread_st(moved) / spread_st(neutral)
    assert np.sign(np.log(spread_ratio)) == np.sign(np.log(preset.range_factor))
    level = 20 * np.log10(active_rms(moved) / active_rms(neutral))
    assert np.sign(level) == np.sign(preset.gain_db)


def test_matching_moves_pitch_toward_each_reference(engine, female_reference, male_reference):
    text = offline_text.SAMPLE_SENTENCES["english"]
    for reference in (female_reference, male_reference):
        ref_audio, _ = _decode(reference)
        out = join(
            engine.synthesize(text, language="english", emotion="neutral", reference=reference)
        )
        distance = abs(12 * np.log2(median_f0(out) / median_f0(ref_audio)))
        assert distance < 2.5, (
            f"output {median_f0(out):.0f} Hz vs reference {median_f0(ref_audio):.0f} Hz"
        )
    note = engine.voice_note(female_reference, "english")
    assert note.startswith("Offline voice matching (approximate, not cloning)")
    assert "Hz" in note and "×" in note and "<" not in note


def test_matching_works_for_an_espeak_language(engine, female_reference):
    text = offline_text.SAMPLE_SENTENCES["german"]
    out = join(
        engine.synthesize(text, language="german", emotion="neutral", reference=female_reference)
    )
    assert median_f0(out) > 170
    assert "approximate, not cloning" in engine.voice_note(female_reference, "german")


def test_no_reference_is_the_built_in_voice_said_plainly(engine):
    note = engine.voice_note(None, "english")
    assert note == "Built-in offline voice (no reference given, not matched)."
    audio = join(
        engine.synthesize(
            "Just the built-in voice.", language="english", emotion="neutral", reference=None
        )
    )
    assert 80 < median_f0(audio) < 170  # Piper joe, unmoved (Praat hears 90-130 Hz)


def test_reference_without_voiced_speech_is_left_unmatched_and_said_so(engine):
    noise = np.random.default_rng(0).normal(0, 0.2, RATE * 6)
    reference = prepared_reference(noise)
    note = engine.voice_note(reference, "english")
    assert "not matched" in note and "too little voiced speech" in note
    audio = join(
        engine.synthesize(
            "Still speaking.", language="english", emotion="neutral", reference=reference
        )
    )
    assert active_rms(audio) > 0.03


@pytest.mark.parametrize(
    "payload",
    [b"not a wav at all", b"RIFF\x00\x00\x00\x00WAVEfmt ", b""],
    ids=["junk", "truncated", "empty"],
)
def test_unreadable_reference_is_refused_clearly(engine, payload):
    reference = PreparedReference(payload, RATE, 5.0, hashlib.sha256(payload).hexdigest(), "junk")
    with pytest.raises(AudioInputError, match="reference"):
        engine.synthesize("Hello.", language="english", emotion="neutral", reference=reference)


def test_eight_bit_reference_is_refused(engine):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(bytes([128]) * 8000 * 5)
    data = buffer.getvalue()
    reference = PreparedReference(data, 8000, 5.0, hashlib.sha256(data).hexdigest(), "8-bit")
    with pytest.raises(AudioInputError):
        engine.synthesize("Hello.", language="english", emotion="neutral", reference=reference)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": "   ", "language": "english", "emotion": "neutral"},
        {"text": "?!", "language": "english", "emotion": "neutral"},
        {"text": "Hello.", "language": "klingon", "emotion": "neutral"},
        {"text": "Hello.", "language": "english", "emotion": "furious"},
    ],
    ids=["blank", "punctuation-only", "language", "emotion"],
)
def test_bad_input_raises_input_error_at_call_time(engine, kwargs):
    with pytest.raises(InputError):
        engine.synthesize(reference=None, **kwargs)  # no iteration needed: checked up front


def test_long_text_streams_sentence_by_sentence(engine, monkeypatch):
    piper, _ = engine._voices()
    calls: list[str] = []
    original = piper.synthesize
    monkeypatch.setattr(
        piper, "synthesize", lambda text, **kw: calls.append(text) or original(text, **kw)
    )
    paragraph = " ".join(["This sentence is one of several in a long paragraph."] * 5)
    stream = engine.synthesize(paragraph, language="english", emotion="neutral", reference=None)
    first = next(stream)
    assert len(calls) == 1, "the first chunk must be ready before the rest is synthesised"
    rest = list(stream)
    assert first.total == 5 and [c.index for c in rest] == [1, 2, 3, 4]
    assert len(first.text) <= offline_text.FIRST_CHUNK_CHARS


def test_reference_profile_is_cached(engine, female_reference, monkeypatch):
    engine.voice_note(female_reference, "english")
    monkeypatch.setattr(matching, "profile_of", lambda *a, **k: pytest.fail("recomputed"))
    engine.voice_note(female_reference, "english")
    list(
        engine.synthesize("Cached.", language="english", emotion="sad", reference=female_reference)
    )


def test_two_threads_can_synthesise_at_once(engine, female_reference):
    results: dict[str, np.ndarray] = {}

    def work(language: str) -> None:
        sentence = offline_text.SAMPLE_SENTENCES[language]
        results[language] = join(
            engine.synthesize(
                sentence, language=language, emotion="happy", reference=female_reference
            )
        )

    threads = [threading.Thread(target=work, args=(lang,)) for lang in ("english", "french")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert set(results) == {"english", "french"}
    assert all(active_rms(audio) > 0.03 for audio in results.values())


def test_output_is_limited_below_full_scale(engine):
    audio = join(
        engine.synthesize(
            "Stop that right now!", language="english", emotion="angry", reference=None
        )
    )
    assert np.abs(audio).max() <= matching.LIMIT_PEAK + 1e-6


def test_missing_packages_make_the_engine_unavailable(monkeypatch):
    import components.offline.engine as local_engine

    monkeypatch.setattr(local_engine, "missing_parts", lambda: ["piper"])
    fresh = LocalEngine()
    assert not fresh.is_available()
    with pytest.raises(EngineUnavailableError, match="piper"):
        fresh.synthesize("Hello.", language="english", emotion="neutral", reference=None)


def test_warmup_loads_in_the_background_and_is_loaded_only_when_done():
    fresh = LocalEngine()
    fresh.start_warmup()
    while fresh._piper is None:  # voices loaded, calibration still running: not loaded yet
        time.sleep(0.01)
    assert not fresh.is_loaded()
    fresh._warmup.join(timeout=60)
    assert fresh.is_loaded()
    assert (PiperJoe.key, "english") in fresh._sources, "the English source voice was calibrated"


def test_sentence_splitting_keeps_abbreviations_and_bounds_chunks():
    chunks = offline_text.split_chunks("Dr. Smith arrived. " + "word, " * 80 + "end.")
    assert chunks[0] == "Dr. Smith arrived."
    assert all(len(c) <= offline_text.MAX_CHUNK_CHARS for c in chunks)
    assert offline_text.split_chunks("今天天气很好。我们去公园吧！") == [
        "今天天气很好。",
        "我们去公园吧！",
    ]


def _decode(reference: PreparedReference) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(reference.wav_bytes), "rb") as wav:
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return data.astype(np.float32) / 32768.0, wav.getframerate()
