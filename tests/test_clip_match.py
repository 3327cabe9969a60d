"""Voice match on finished clips and coaching on uploaded files, with real speech (shared/voices)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import soundfile as sf

from components.clip_match import (
    CLIP_EXCERPT_S,
    NO_SAMPLE_LINE,
    VoiceMatcher,
    read_excerpt,
)
from components.reference import prepare
from tests.voice_match import cases

LINE = re.compile(r"^Voice match: (\d+)% — (.+), an estimate from a speaker encoder \(")


@pytest.fixture(scope="module")
def matcher():
    return VoiceMatcher()


def prepared(path):
    return prepare(path, target_rate=24000, max_upload_mb=20)


def by_sex(sex: str) -> list[dict]:
    return [entry for entry in cases.speakers() if entry["sex"] == sex]


def test_a_clip_of_the_same_reading_scores_the_same_person(matcher):
    reading = cases.VOICES / cases.speakers()[0]["file"]
    result = matcher.score(reading, prepared(reading))
    assert result.match is not None and result.match.band == "same person"
    found = LINE.match(result.line)
    assert found and int(found.group(1)) >= 80 and found.group(2) == "sounds like the same person"


def test_another_person_scores_lower_than_the_same_person(matcher, tmp_path):
    first, second = by_sex("F")[:2]
    reference = prepared(cases.VOICES / first["file"])
    same = cases.same_speaker_sets()
    other = matcher.score(cases.VOICES / second["file"], reference)
    assert other.match is not None and other.match.percent < 80, other.line
    person, files = next(iter(same.items()))
    own = matcher.score(cases.VOICES / files[1], prepared(cases.VOICES / files[0]))
    assert own.match is not None and own.match.percent > other.match.percent


def test_without_a_sample_the_details_say_there_was_nothing_to_compare(matcher, tmp_path):
    result = matcher.score(tmp_path / "clip.wav", None)
    assert result.match is None and result.line == NO_SAMPLE_LINE


def test_a_long_clip_is_scored_on_a_bounded_excerpt(matcher, tmp_path):
    reading = cases.load(cases.speakers()[2]["file"])
    long_clip = tmp_path / "long.wav"
    sf.write(long_clip, np.tile(reading, 8), cases.RATE)  # about 2 minutes
    samples, rate = read_excerpt(long_clip, CLIP_EXCERPT_S)
    assert len(samples) == int(CLIP_EXCERPT_S * rate)
    result = matcher.score(long_clip, prepared(cases.VOICES / cases.speakers()[2]["file"]))
    assert result.match is not None and result.match.band == "same person"


def test_an_unreadable_clip_keeps_the_clip_and_says_no_score(matcher, tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEfmt nonsense")
    result = matcher.score(broken, prepared(cases.VOICES / cases.speakers()[0]["file"]))
    assert result.match is None and result.line.startswith("Voice match: not measured")


def write(path, samples):
    sf.write(path, samples, cases.RATE)
    return path


def test_coaching_a_file_clean_two_speakers_and_noise(matcher, tmp_path):
    first, second = by_sex("M")[:2]
    clean = cases.load(first["file"])
    assert matcher.coach_file(write(tmp_path / "clean.wav", clean)).badge == "good"
    two = cases.joined(clean, cases.load(second["file"]))
    coaching = matcher.coach_file(write(tmp_path / "two.wav", two))
    assert coaching.badge == "poor" and coaching.findings[0].code == "several_speakers"
    noisy = matcher.coach_file(write(tmp_path / "noisy.wav", cases.with_noise(clean, 5.0)))
    assert [f.code for f in noisy.findings] == ["noise"]


def test_coaching_a_file_that_is_not_audio_is_left_to_the_sample_report(matcher, tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    assert matcher.coach_file(text) is None
