"""Is a generated part as long as its text? Far too short means lost words; far too long, a stalled voice.

The margins are wide on purpose: people read at 2/3 to 3/2 of an ordinary pace, and emotion and
voice change it further. A part outside them is made again once, and if it still is, the details
name it: a clip is never returned with a part silently shorter than its text.
"""

from __future__ import annotations

from components.script.pace import speech_seconds, spoken_letters

TOO_SHORT_RATIO = 0.4
"""Shorter than 40 % of the expected time: 2.5 times an ordinary pace, words are missing."""
TOO_LONG_RATIO = 2.5
TOO_LONG_SLACK_S = 2.0
MIN_EXPECTED_S = 1.5
"""A text expected to take less than this is too short to judge as "too short"."""


def judge_duration(seconds: float, text: str, language: str) -> str | None:
    """None when `seconds` of speech is plausible for `text`, else a sentence saying what is wrong."""
    expected = speech_seconds(text, language)
    letters = spoken_letters(text)
    if expected >= MIN_EXPECTED_S and seconds < expected * TOO_SHORT_RATIO:
        return (
            f"came back {seconds:.1f} s long for {letters} letters (about {expected:.0f} s expected): "
            "words are probably missing"
        )
    if seconds > expected * TOO_LONG_RATIO + TOO_LONG_SLACK_S:
        return (
            f"came back {seconds:.1f} s long for {letters} letters (about {expected:.0f} s expected): "
            "far longer than its text"
        )
    return None
