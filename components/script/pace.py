"""How long a text takes to say: letters (and digits) per second of ordinary read speech, per language.

Used twice: to refuse a text whose clip would be absurdly long before anything is spent, and to
check each generated part against its text (a part far too short has lost words; far too long, the
voice has rambled or stalled). Only the order of magnitude matters: the checks allow a wide margin.
"""

from __future__ import annotations

LETTERS_PER_SECOND: dict[str, float] = {
    "chinese": 4.5,  # characters: about one syllable each
    "japanese": 6.0,  # kana and kanji mixed
    "korean": 6.0,  # Hangul syllable blocks
}
DEFAULT_LETTERS_PER_SECOND = 12.0
"""Alphabetic scripts (Latin, Cyrillic, Arabic, Devanagari): about 150 words a minute."""


def spoken_letters(text: str) -> int:
    """Letters and digits: what is actually pronounced (spaces and punctuation are not)."""
    return sum(1 for char in text if char.isalnum())


def speech_seconds(text: str, language: str) -> float:
    """Expected seconds of speech for `text` read at an ordinary pace in `language`."""
    return spoken_letters(text) / LETTERS_PER_SECOND.get(language, DEFAULT_LETTERS_PER_SECOND)
