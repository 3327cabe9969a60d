"""Sample coaching on real speech: clean readings pass, each kind of damage is named once."""

from __future__ import annotations

import itertools

import pytest

from components.voice_match import coach, coaching, encoder
from components.voice_match.coaching import SENTENCES
from tests.voice_match import cases

# Two men and two women, with the quietest reading (5652, -30 dBFS) among them.
SOME = ["4813", "909", "8238", "5652"]


def _file(speaker: str) -> str:
    return next(e["file"] for e in cases.speakers() if e["speaker"] == speaker)


def _codes(result) -> list[str]:
    return [f.code for f in result.findings]


@pytest.mark.parametrize("relative", cases.all_files())
def test_clean_readings_are_good_with_no_findings(relative):
    result = coach(cases.load(relative), cases.RATE)
    assert (result.badge, _codes(result)) == ("good", [])
    assert result.embedding is not None


def test_two_readers_joined_are_flagged_even_of_the_same_sex():
    by_sex = {"M": [], "F": []}
    for entry in cases.speakers():
        by_sex[entry["sex"]].append(entry["file"])
    pairs = [p for files in by_sex.values() for p in itertools.combinations(files, 2)]
    pairs += [(by_sex["M"][0], by_sex["F"][0]), (by_sex["F"][3], by_sex["M"][4])]
    missed = []
    for a, b in pairs:
        result = coach(cases.joined(cases.load(a), cases.load(b)), cases.RATE)
        if _codes(result) != ["several_speakers"] or result.badge != "poor":
            missed.append((a, b, _codes(result), result.speaker_split_cosine))
    assert not missed


def test_one_reader_in_two_readings_is_one_speaker():
    for files in cases.same_speaker_sets().values():
        for a, b in itertools.combinations(files, 2):
            result = coach(cases.joined(cases.load(a), cases.load(b)), cases.RATE)
            assert "several_speakers" not in _codes(result), (a, b, result.speaker_split_cosine)


@pytest.mark.parametrize("speaker", SOME)
def test_background_noise_is_flagged_by_how_loud_it_is(speaker):
    x = cases.load(_file(speaker))
    assert _codes(coach(cases.with_noise(x, 30), cases.RATE)) == []
    fair = coach(cases.with_noise(x, 10), cases.RATE)
    assert _codes(fair) == ["noise"]
    poor = coach(cases.with_noise(x, 5), cases.RATE)
    assert (_codes(poor), poor.badge) == (["noise"], "poor")
    assert poor.measures.snr_db < fair.measures.snr_db < 18


@pytest.mark.parametrize("speaker", SOME)
def test_a_steady_tone_under_the_speech_is_flagged_as_a_tone(speaker):
    result = coach(cases.with_tone(cases.load(_file(speaker)), 20), cases.RATE)
    assert _codes(result) == ["tone"]
    assert result.badge == "fair"
    assert result.measures.tone_hz == pytest.approx(440, abs=10)


@pytest.mark.parametrize("speaker", SOME)
def test_music_under_the_speech_is_flagged_as_music(speaker):
    result = coach(cases.with_music(cases.load(_file(speaker)), 15), cases.RATE)
    assert _codes(result) == ["music"]


@pytest.mark.parametrize("speaker", SOME)
def test_clipping_is_flagged(speaker):
    result = coach(cases.clipped(cases.load(_file(speaker))), cases.RATE)
    assert _codes(result) == ["clipped"]
    assert result.measures.clipped_runs >= coaching.CLIPPED_FAIR_RUNS


def test_a_quiet_recording_is_flagged_and_a_very_quiet_one_is_poor():
    x = cases.load(_file("4813"))
    quiet = coach(cases.scaled_to(x, -45), cases.RATE)
    assert (_codes(quiet), quiet.badge) == (["quiet"], "fair")
    very = coach(cases.scaled_to(x, -55), cases.RATE)
    assert (_codes(very), very.badge) == (["quiet"], "poor")
    assert coach(cases.scaled_to(x, -35), cases.RATE).findings == ()


def test_every_sentence_is_one_plain_sentence_that_says_what_to_do():
    for code, sentence in SENTENCES.items():
        assert sentence[0].isupper() and sentence.endswith("."), code
        assert sentence.count(".") == 1 and ":" in sentence, code
        assert any(verb in sentence for verb in ("record again", "use a recording")), code


def test_without_the_encoder_the_signal_checks_still_run(monkeypatch):
    monkeypatch.setattr(encoder, "model_path", lambda: None)
    result = coach(
        cases.with_noise(cases.load(_file("909")), 5), cases.RATE, encoder=encoder.SpeakerEncoder()
    )
    assert _codes(result) == ["noise"]
    assert result.speaker_split_cosine is None and result.embedding is None


def test_a_short_sample_skips_the_speaker_check_but_not_the_rest():
    x = cases.clipped(cases.load(_file("4813"))[: 3 * cases.RATE])
    result = coach(x, cases.RATE)
    assert result.speaker_split_cosine is None
    assert _codes(result) == ["clipped"]
