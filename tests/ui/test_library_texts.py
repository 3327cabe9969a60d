"""The library's page wording: picker choices for each kind of voice, markdown-safe names, the consent gate."""

from __future__ import annotations

import gradio as gr
import pytest

from components.library import AccountVoice, Library
from components.library.record import ModelsLabLink, SavedVoice
from components.ui.handlers import picked_voice
from components.ui.library_texts import NEW, md, picker_choices, picker_languages


def voice(name="Anna", link=None) -> SavedVoice:
    return SavedVoice("0123456789ab", name, "german", b"OggS", 9.5, 24000, "", "2026-12-01T10:00:00Z", link)


def test_the_picker_offers_new_saved_example_and_account_voices():
    saved = Library((voice(link=ModelsLabLink("anna", "0" * 16, "standard")),))
    account = (AccountVoice("actor", "Actor", "english", "trained"), AccountVoice("me_1", "Me", "", "manual"))
    choices = picker_choices(saved, account)
    assert choices[0] == ("New recording or upload", NEW)
    assert choices[1] == ("Anna — my saved voice, German · also on ModelsLab", "saved:0123456789ab")
    assert [value for _, value in choices[2:6]] == ["example:owen", "example:hugo", "example:nora", "example:mia"]
    assert choices[-2:] == [("Actor — ModelsLab voice, English", "modelslab:actor"),
                            ("Me — my ModelsLab voice, language not given", "modelslab:me_1")]  # fmt: skip
    languages = picker_languages(saved, account)
    assert languages["saved:0123456789ab"] == "german" and languages["example:nora"] == "english"
    assert "modelslab:me_1" not in languages


def test_names_from_an_api_are_shown_as_plain_text():
    assert md("**bold** [x](javascript:y) <img>") == r"\*\*bold\*\* \[x\]\(javascript:y\) \<img\>"


def test_a_new_recording_needs_consent_and_a_library_voice_does_not():
    with pytest.raises(gr.Error, match="permission"):
        picked_voice(NEW, "/tmp/sample.wav", "", False)
    assert picked_voice(NEW, "/tmp/sample.wav", "", True) == ("/tmp/sample.wav", "")
    assert picked_voice(None, None, "jacob", False) == (None, "jacob")  # a voice id typed, no sample
    assert picked_voice("example:owen", "/tmp/sample.wav", "", False) == (None, "example:owen")
    assert picked_voice("saved:0123456789ab", None, "", False) == (None, "saved:0123456789ab")
