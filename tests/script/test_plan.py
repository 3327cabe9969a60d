"""components.script: prose stays prose, scripts speak in their voices, pauses become silence, limits hold."""

from __future__ import annotations

import re

import pytest

from components.errors import InputError
from components.script import LIMITS, plan_text, split_parts
from components.script.markup import split_pauses
from components.script.plan import NATURAL_PAUSE_S

NAMES = {"alice": "Alice", "bob smith": "Bob Smith"}


def plan(text, *, part_chars=500, names=NAMES, **kwargs):
    return plan_text(text, language="english", emotion="neutral", part_chars=part_chars, known_names=names, **kwargs)


def words(text: str) -> list[str]:
    return re.sub(r"\[pause[^\]]*\]|<break[^>]*>", " ", text).split()


def long_text(chars: int = 10_000) -> str:
    """Varied prose: sentences of different lengths, commas, abbreviations, paragraphs."""
    pieces, i = [], 0
    while sum(len(p) + 1 for p in pieces) < chars:
        i += 1
        pieces.append(f"Sentence {i} tells Dr. Jones about item no. {i}, which matters" + ", and more" * (i % 7) + ".")
        if i % 9 == 0:
            pieces.append("\n\n")
    return " ".join(pieces)[:chars].rsplit(" ", 1)[0] + "."


@pytest.mark.parametrize(
    "prose",
    [
        "Note: the shop opens at 9.",
        "Ingredients: flour, water and salt.\nMethod: mix them, then wait.",
        "See https://example.org: it explains everything.",
        "We meet at 10:30: bring the slides.",
        "Carol (from accounts): please call me back.",
    ],
)
def test_prose_with_colons_stays_prose(prose):
    result = plan(prose)
    assert not result.is_script
    assert {part.voice for part in result.parts} == {""}
    assert words(" ".join(part.text for part in result.parts)) == words(prose)


def test_a_long_text_is_split_into_parts_that_hold_every_word_in_order():
    text = long_text()
    result = plan(text, part_chars=500)
    assert 15 <= len(result.parts) <= 40
    assert all(len(part.text) <= 500 for part in result.parts)
    assert words(" ".join(part.text for part in result.parts)) == words(text)
    ends = [part.text[-1] for part in result.parts]
    assert sum(end in ".!?" for end in ends) >= len(ends) - 2, "parts end at sentence ends when they can"


def test_paragraphs_and_sentences_get_natural_pauses_and_a_cut_sentence_a_crossfade():
    sentence = "This sentence has no commas at all and goes on and on well past the limit of this part size"
    result = plan(f"One. Two.\n\nThree.\nstill three. {sentence}.", part_chars=30, names={})
    texts = [part.text for part in result.parts]
    assert texts[:2] == ["One. Two.", "Three. still three."]
    assert result.parts[0].pause_after_s == NATURAL_PAUSE_S["paragraph"]
    assert result.parts[1].pause_after_s == NATURAL_PAUSE_S["sentence"]
    cut = result.parts[2:]
    assert all(part.crossfade and part.pause_after_s == 0 for part in cut[:-1])
    assert not result.parts[-1].crossfade and result.parts[-1].pause_after_s == 0
    assert " ".join(part.text for part in cut) == sentence + "."


def test_split_parts_cuts_at_clauses_then_spaces_and_never_loses_text():
    text = "First clause here, second clause there; third clause everywhere — and a last one."
    pieces = split_parts(text, 40)
    assert [p.text for p in pieces] == ["First clause here, second clause there;", "third clause everywhere —", "and a last one."]
    assert [p.boundary for p in pieces] == ["clause", "clause", "sentence"]
    chinese = "长句子没有空格" * 20 + "。"
    assert "".join(p.text for p in split_parts(chinese, 50)) == chinese


def test_first_part_can_be_shorter_for_quick_first_audio():
    text = " ".join(["A sentence of about forty characters ok."] * 10)
    parts = split_parts(text, 150, first_limit=60)
    assert len(parts[0].text) <= 60 and all(len(p.text) <= 150 for p in parts)


def test_a_script_speaks_each_line_in_its_voice_and_emotion():
    script = "Alice: Hello Bob, how are you?\nbob  SMITH (happy): Great, thanks!\nA line for the main voice.\n\nAlice (sad): Goodbye."
    result = plan(script)
    assert result.is_script
    assert [(p.voice, p.emotion, p.text) for p in result.parts] == [
        ("Alice", "neutral", "Hello Bob, how are you?"),
        ("Bob Smith", "happy", "Great, thanks!"),
        ("", "neutral", "A line for the main voice."),
        ("Alice", "sad", "Goodbye."),
    ]
    assert [p.line for p in result.parts] == [1, 2, 3, 5]
    assert result.parts[0].pause_after_s == NATURAL_PAUSE_S["turn"]
    assert result.parts[2].pause_after_s == NATURAL_PAUSE_S["paragraph"]
    assert result.voices == ("Alice", "Bob Smith", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Alice: Hi!\nCarol: Hello!", r"Line 2 is spoken by “Carol”.*Voices you can name: Alice, Bob Smith"),
        ("Zed (happy): Hi!", r"no voice called Zed"),
        ("Alice (whispering): Hi!", r"must be an emotion: neutral, happy, sad, angry, dull"),
    ],
)
def test_script_mistakes_are_named(text, message):
    with pytest.raises(InputError, match=message):
        plan(text)


def test_with_no_voices_available_the_message_says_how_to_get_one():
    with pytest.raises(InputError, match="No named voices are available yet"):
        plan("Zed (happy): Hi!", names={})


@pytest.mark.parametrize(
    ("tag", "seconds"),
    [("[pause 1.5s]", 1.5), ("[pause 800ms]", 0.8), ("[Pause: 2]", 2.0), ("[pause]", 1.0),
     ('<break time="800ms"/>', 0.8), ("<break time='1.5s'>", 1.5), ("<break/>", 0.5), ("[pause 25s]", 10.0),
     ("[pause 0,5 s]", 0.5)],
)
def test_pause_tags_are_read_and_clamped(tag, seconds):
    (pause,) = split_pauses(tag, LIMITS.max_pause_s)
    assert pause.seconds == pytest.approx(seconds)


def test_a_pause_tag_replaces_the_natural_pause_and_splits_the_text():
    result = plan("[pause 2s] Wait for it [pause 1.5s] [pause 1s] here it comes. Then more.", names={})
    assert result.lead_in_s == 2.0
    assert [p.text for p in result.parts] == ["Wait for it", "here it comes. Then more."]
    assert result.parts[0].pause_after_s == 2.5 and not result.parts[0].crossfade
    script = plan("Alice: Hi. [pause 3s]\n[pause 1s] Bob Smith: Hello.")
    assert [(p.voice, p.pause_after_s) for p in script.parts] == [("Alice", 4.0), ("Bob Smith", 0.0)]
    assert script.lead_in_s == 0


@pytest.mark.parametrize("tag", ["[pause soon]", '<break time="long"/>', "[pause 1h]"])
def test_an_unreadable_pause_tag_is_refused_with_the_spelling(tag):
    with pytest.raises(InputError, match=r"Write a pause as \[pause 1.5s\]"):
        plan(f"Hello {tag} world.")


def test_hostile_pauses_are_refused_not_rendered():
    with pytest.raises(InputError, match=r"pauses add up to 50000 s; the limit is 120 s"):
        plan("Hi. " + "[pause 10s]" * 5000)


def test_nothing_to_speak_is_refused():
    with pytest.raises(InputError, match="nothing to speak"):
        plan("[pause 2s] ... !!!")


def test_too_many_parts_and_script_lines_are_refused():
    with pytest.raises(InputError, match=r"would take 2\d\d parts; the limit is 200"):
        plan(" ".join(["Short one."] * 250), part_chars=20)
    with pytest.raises(InputError, match=r"201 lines for named voices; the limit is 200"):
        plan("\n".join(["Alice: Hi."] * 201))


def test_a_clip_estimated_over_the_length_limit_is_refused():
    limits = LIMITS.__class__(max_clip_s=60.0)
    with pytest.raises(InputError, match=r"about \d+ minutes; the limit is 1 minutes"):
        plan(long_text(2000), limits=limits)


def test_a_pause_at_the_very_end_is_kept_but_no_natural_pause_is_added():
    assert plan("Goodbye. [pause 2s]", names={}).parts[-1].pause_after_s == 2.0
    assert plan("Goodbye.\n\n", names={}).parts[-1].pause_after_s == 0.0
