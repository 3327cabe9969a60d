"""Closed-loop voice matching: the encoder-guided search on a real LibriSpeech voice (shared/voices)."""

from __future__ import annotations

import numpy as np
import pytest

from components.errors import EngineUnavailableError
from components.offline import closed_loop, matching
from components.offline.engine import LocalEngine, _decode_wav
from components.offline.voices import SAMPLE_RATE, PiperJoe
from components.reference import prepare
from components.voice_match import DEFAULT_ENCODER, similarity
from tests.voice_match import cases


@pytest.fixture(scope="module")
def setup():
    engine = LocalEngine(aim=False)
    female = next(e for e in cases.speakers() if e["sex"] == "F")
    reference = prepare(cases.VOICES / female["file"], target_rate=24000, max_upload_mb=20)
    ref = engine._reference_profile(reference)
    source = engine._source_profile(PiperJoe.key, "english")
    samples, rate = _decode_wav(reference.wav_bytes)
    return engine, ref, matching.plan_match(source, ref), samples, rate


def test_the_search_keeps_its_clamps_and_never_scores_below_the_open_loop_plan(setup):
    engine, ref, base, samples, rate = setup
    excerpt = engine._excerpts[(PiperJoe.key, "english")]
    target = DEFAULT_ENCODER.embed(samples, rate)
    result = closed_loop.PlanSearch(excerpt, SAMPLE_RATE, ref, target).run(base)
    plan = result.plan
    assert closed_loop.RATIO_LIMITS[0] <= plan.formant_ratio <= closed_loop.RATIO_LIMITS[1]
    assert np.max(np.abs(plan.eq_db)) <= closed_loop.EQ_LIMIT_DB
    assert abs(12 * np.log2(plan.target_median_hz / ref.median_hz)) <= max(map(abs, closed_loop.PITCH_STEPS_ST)) + 1e-6
    assert result.score >= result.start_score
    assert result.candidates >= 6


def test_searched_speech_sounds_more_like_the_reference_to_the_encoder(setup):
    engine, ref, base, samples, rate = setup
    excerpt = engine._excerpts[(PiperJoe.key, "english")]
    searched = closed_loop.improve(base, excerpt, SAMPLE_RATE, ref, samples, rate)
    piper, _ = engine._voices()
    raw = piper.synthesize("My brother bought a small boat last summer, and we sailed it every weekend.")
    target = DEFAULT_ENCODER.embed(samples, rate)
    neutral = matching.EMOTION_PROSODY["neutral"]
    before = similarity(DEFAULT_ENCODER.embed(matching.render(raw, SAMPLE_RATE, plan=base, prosody=neutral), SAMPLE_RATE), target)
    after = similarity(DEFAULT_ENCODER.embed(matching.render(raw, SAMPLE_RATE, plan=searched, prosody=neutral), SAMPLE_RATE), target)
    assert after > before - 0.02, (before, after)  # on a new text too, not only the excerpt searched


class MissingEncoder:
    def is_available(self):
        return True

    def embed(self, samples, rate):
        raise EngineUnavailableError("missing")


def test_without_the_encoder_the_open_loop_plan_is_used(setup):
    engine, ref, base, samples, rate = setup
    excerpt = engine._excerpts[(PiperJoe.key, "english")]
    assert closed_loop.improve(base, excerpt, SAMPLE_RATE, ref, samples, rate, encoder=MissingEncoder()) is base
