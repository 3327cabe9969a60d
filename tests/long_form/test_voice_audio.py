"""Each voice's audio gathered from a script's parts (capped), and scored voice by voice on real speech."""

from __future__ import annotations

import numpy as np

from components.clip_match import CLIP_EXCERPT_S, VoiceExcerpt, VoiceMatcher
from components.long_form.voice_audio import VoiceAudio
from components.reference import prepare
from tests.voice_match import cases

RATE = cases.RATE


def test_parts_are_gathered_per_voice_in_text_order_and_capped():
    audio = VoiceAudio()
    audio.add("Bob", np.full(RATE, 0.1, np.float32), RATE)
    audio.add("", np.full(RATE, 0.2, np.float32), RATE)
    audio.add("Bob", np.full(int(40 * RATE), 0.3, np.float32), RATE)  # over the cap: cut
    audio.add("Bob", np.full(RATE, 0.4, np.float32), RATE)  # nothing left of the cap: dropped
    bob, main = audio.excerpts()
    assert (bob.voice, main.voice) == ("Bob", "")
    assert len(bob.samples) == int(CLIP_EXCERPT_S * RATE) and len(main.samples) == RATE
    assert bob.samples[0] == np.float32(0.1) and bob.samples[-1] == np.float32(0.3)
    assert not np.any(bob.samples == np.float32(0.4))


def test_voices_are_scored_main_first_each_against_its_own_sample():
    man, woman = cases.speakers()[0], cases.speakers()[6]
    assert (man["sex"], woman["sex"]) == ("M", "F")
    references = {
        "": prepare(cases.VOICES / man["file"], target_rate=24000, max_upload_mb=20),
        "Eve": prepare(cases.VOICES / woman["file"], target_rate=24000, max_upload_mb=20),
        "Nobody": None,
    }
    excerpts = (
        VoiceExcerpt("Eve", cases.load(woman["file"]), RATE),
        VoiceExcerpt("", cases.load(man["file"]), RATE),
        VoiceExcerpt("Nobody", cases.load(man["file"]), RATE),
    )
    main, eve, nobody = VoiceMatcher().score_voices(excerpts, references)
    assert main.line.startswith(f"Voice match: {main.match.percent}% — sounds like the same person")
    assert eve.line.startswith(f"Voice match (Eve): {eve.match.percent}% — sounds like the same person")
    assert nobody.match is None and nobody.line.startswith("Voice match (Nobody): not measured — no voice sample")
