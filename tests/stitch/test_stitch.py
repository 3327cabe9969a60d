"""components.stitch: parts become one clip with matched loudness, clean joins, pauses and timestamps."""

from __future__ import annotations

import numpy as np
import pytest

from components.audio.level import integrated_loudness
from components.stitch import (
    Cue,
    Stitcher,
    judge_duration,
    player_subtitles,
    prepare_part,
    read_audio,
    srt_text,
)
from components.stitch.join import CROSSFADE_S, TRIM_PAD_S
from tests.audio_factory import speech_wav

RATE = 22050


def tone(seconds: float, frequency: float, amplitude: float, silence: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    body = (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
    pad = np.zeros(int(silence * RATE), np.float32)
    return np.concatenate([pad, body, pad])


def test_a_part_is_trimmed_to_its_speech_and_brought_to_the_clip_loudness():
    quiet = prepare_part(tone(2.0, 220, 0.02, silence=1.0), RATE)
    loud = prepare_part(tone(2.0, 330, 0.6, silence=0.5), RATE)
    for part in (quiet, loud):
        assert part.seconds == pytest.approx(2.0 + 2 * TRIM_PAD_S, abs=0.02)
        assert integrated_loudness(part.samples, RATE) == pytest.approx(-20.0, abs=0.5)
        assert np.max(np.abs(part.samples)) <= 10 ** (-1 / 20) + 1e-6


def test_real_speech_keeps_its_words_when_trimmed(tmp_path):
    samples, rate = read_audio(speech_wav(tmp_path / "speech.wav", seconds=6.0))
    padded = np.concatenate([np.zeros(rate), samples, np.zeros(rate)]).astype(np.float32)
    prepared = prepare_part(padded, rate)
    # The words: from the first to the last sample within 26 dB of the peak. (The file is cut at
    # 6.0 s wherever Piper's random pauses fall, so its own length says nothing about them.)
    loud = np.flatnonzero(np.abs(samples) >= 0.05 * np.max(np.abs(samples)))
    words_s = (loud[-1] - loud[0] + 1) / rate
    assert words_s <= prepared.seconds <= len(samples) / rate + 2 * TRIM_PAD_S


def test_parts_are_joined_in_order_with_pauses_and_timestamps():
    stitcher = Stitcher(lead_in_s=1.0)
    chunks = [
        stitcher.add(prepare_part(tone(1.0, 200, 0.3), RATE), 0.5, False),
        stitcher.add(prepare_part(tone(2.0, 300, 0.3), RATE), 0.0, False),
    ]
    chunks.append(stitcher.finish())
    clip = np.concatenate(chunks)
    assert len(chunks[0]) / RATE == pytest.approx(1.0 + 1.0 + 0.5, abs=0.01)  # lead-in, part, pause
    (a_start, a_end), (b_start, b_end) = stitcher.spans
    assert a_start == pytest.approx(1.0) and b_start == pytest.approx(a_end + 0.5, abs=0.01)
    assert b_end == pytest.approx(len(clip) / RATE, abs=0.01)
    assert np.max(np.abs(clip[: int(0.99 * RATE)])) == 0, "the lead-in is silence"
    assert np.max(np.abs(clip[int((a_end + 0.05) * RATE) : int((b_start - 0.05) * RATE)])) == 0


def test_a_sentence_cut_in_two_is_crossfaded_without_a_click_or_a_gap():
    stitcher = Stitcher()
    first = stitcher.add(prepare_part(tone(1.0, 200, 0.3), RATE), 0.0, True)
    second = stitcher.add(prepare_part(tone(1.0, 200, 0.3), RATE), 0.0, False)
    clip = np.concatenate([first, second])
    overlap = int(CROSSFADE_S * RATE)
    assert len(clip) == len(prepare_part(tone(1.0, 200, 0.3), RATE).samples) * 2 - overlap
    join = clip[len(first) - 5 : len(first) + overlap + 5]
    assert np.max(np.abs(np.diff(join))) < 0.1, "no step at the join"
    assert stitcher.spans[1][0] == pytest.approx(stitcher.spans[0][1] - CROSSFADE_S, abs=1 / RATE * 2)


def test_parts_at_other_rates_are_brought_to_the_clip_rate():
    stitcher = Stitcher()
    stitcher.add(prepare_part(tone(1.0, 200, 0.3), RATE), 0.0, False)
    t = np.arange(44100) / 44100
    high = (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    chunk = stitcher.add(prepare_part(high, 44100), 0.0, False)
    assert len(chunk) == pytest.approx(RATE, abs=2)


@pytest.mark.parametrize(
    ("seconds", "text", "verdict"),
    [
        (4.0, "This is a sentence of ordinary length, read at an ordinary pace.", None),
        (1.0, "This is a sentence of ordinary length, read at an ordinary pace.", "words are probably missing"),
        (30.0, "Short one.", "far longer than its text"),
        (0.3, "Hi.", None),
    ],
)
def test_a_part_is_judged_against_its_text(seconds, text, verdict):
    said = judge_duration(seconds, text, "english")
    assert (said is None) if verdict is None else (verdict in said)


def test_chinese_is_judged_at_its_own_pace():
    text = "今天天气很好，我们要去公园散步。" * 3
    assert judge_duration(10.0, text, "chinese") is None
    assert judge_duration(2.0, text, "chinese") is not None  # 45 characters take about 10 s
    assert judge_duration(2.0, text, "english") is None  # 45 letters of English would take about 4 s


def test_subtitles_as_srt_and_for_the_player():
    cues = [Cue(0.0, 1.5, "Hello."), Cue(1.85, 3661.2344, "Alice: Bye.")]
    assert srt_text(cues) == (
        "1\n00:00:00,000 --> 00:00:01,500\nHello.\n\n2\n00:00:01,850 --> 01:01:01,234\nAlice: Bye.\n"
    )
    assert player_subtitles(cues)[1] == {"text": "Alice: Bye.", "timestamp": [1.85, 3661.234]}
