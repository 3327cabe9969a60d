"""The text must be written in a script its language uses; a mismatch gets a message naming the fix."""

from __future__ import annotations

import re

import pytest

from components.errors import InputError
from components.offline.text import SAMPLE_SENTENCES
from components.settings import LANGUAGES
from components.text_script import ALLOWED_SCRIPTS, check_script, letter_scripts


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_languages_own_sample_sentence_passes(language):
    check_script(SAMPLE_SENTENCES[language], language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Meet me at the Starbucks near 東京駅 at 3pm.", "english"),  # a foreign name inside English
        ("我们今天用 Python 写代码。", "chinese"),  # Latin words inside Chinese
        ("Aap kaise hain? Main theek hoon.", "hindi"),  # Hindi in Latin letters
        ("OK 123 !!!", "japanese"),  # too few letters to judge
        ("😀 ... 42", "english"),  # no letters at all (the service says there is nothing to speak)
        ("Γειά σου κόσμε", "english"),  # a script none of the 16 languages uses: nothing to suggest
    ],
)
def test_mixed_or_unjudgeable_text_passes(text, language):
    check_script(text, language)


@pytest.mark.parametrize(
    ("text", "language", "suggestion"),
    [
        ("今日は良い天気ですね。", "english", "Choose japanese"),
        ("今天天气很好，我们去公园。", "english", "Choose chinese (or japanese)"),
        ("안녕하세요, 반갑습니다.", "japanese", "Choose korean"),
        ("Привет, как дела?", "german", "Choose russian"),
        ("مرحبا كيف حالك", "french", "Choose arabic"),
        ("नमस्ते, आप कैसे हैं?", "spanish", "Choose hindi"),
        ("Привет, как дела?", "chinese", "Choose russian"),
        ("こんにちは、お元気ですか。", "korean", "Choose japanese"),
    ],
)
def test_a_text_in_another_script_is_refused_with_the_fix(text, language, suggestion):
    with pytest.raises(InputError, match=re.escape(suggestion)) as caught:
        check_script(text, language)
    assert language.title() in caught.value.user_message


def test_letters_are_counted_by_script():
    assert letter_scripts("Hi 今日は ＡＢ!") == {"LATIN": 4, "CJK": 2, "HIRAGANA": 1}


def test_japanese_is_judged_as_one_script_family():
    check_script("今日は良い天気ですね。", "japanese")  # half kanji, half kana
    with pytest.raises(InputError, match="Choose japanese"):
        check_script("今日は良い天気ですね。", "english")


def test_every_language_has_a_script_rule():
    assert set(ALLOWED_SCRIPTS) == set(LANGUAGES)
