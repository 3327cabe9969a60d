"""The voice-match words on the page: every coaching sentence and details line is in every language."""

from __future__ import annotations

import pytest

from components import clip_match
from components.ui.i18n.catalogue import LOCALES, catalogue
from components.ui.voice_match_view import BADGE_WORDS, coaching_markdown
from components.voice_match import VoiceMatch
from components.voice_match.coaching import SENTENCES

LINES = [
    *SENTENCES.values(), *BADGE_WORDS.values(), clip_match.NO_SAMPLE_LINE, clip_match.UNSCORED_LINE,
    clip_match.TOO_SHORT_LINE,
    *(clip_match.details_line(VoiceMatch.from_cosine(c)) for c in (0.4, 0.7, 0.9)),
]


@pytest.mark.parametrize("line", LINES)
def test_each_voice_match_line_has_a_template(line):
    assert catalogue().match(line) is not None, line


@pytest.mark.parametrize("locale", [code for code, _ in LOCALES if code != "en"])
def test_a_score_line_is_said_whole_in_each_language(locale):
    line = clip_match.details_line(VoiceMatch.from_cosine(0.9))
    said = catalogue().translate(line, locale)
    assert said != line and "90" in said and "sounds like" not in said


def test_coaching_markdown_without_a_verdict_is_empty():
    assert coaching_markdown(None) == ""
