"""With no key anywhere, /clone runs on the embedded offline engine and says so."""

from __future__ import annotations

import wave

import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from components.backends import PartialAudio
from components.clone_service import CloneOutcome
from tests.audio_factory import silence_wav, speech_wav
from tests.conftest import app_settings, running_app


@pytest.fixture(scope="module")
def offline_app():
    with running_app(app_settings(None)) as (client, service):
        yield client, service


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("offline") / "sample.wav", seconds=8.0)


def seconds_of(path: str) -> float:
    with wave.open(path) as clip:
        return clip.getnframes() / clip.getframerate()


def test_auto_without_a_key_uses_the_offline_engine(offline_app, speech):
    client, _ = offline_app
    path, details = client.predict(
        text="Hello there. This clip was made without any API key.", reference=handle_file(str(speech)),
        api_name="/clone",
    )
    assert seconds_of(path) > 1.5
    assert "**Backend:** offline" in details and "not cloning" in details


@pytest.mark.parametrize("language", ["german", "japanese", "chinese"])
def test_other_languages_speak_offline(offline_app, speech, language):
    client, _ = offline_app
    text = {"german": "Guten Morgen, wie geht es dir?", "japanese": "今日は良い天気ですね。", "chinese": "今天天气很好。"}[language]
    path, details = client.predict(text=text, reference=handle_file(str(speech)), language=language, api_name="/clone")
    assert 0.5 < seconds_of(path) < 8.0, "speech whose length fits the text, not spelled-out characters"
    assert language.title() in details


def test_text_in_another_languages_script_is_refused_before_speaking(offline_app):
    """Japanese text with English chosen would be spelled out as noise; the message names the fix."""
    client, _ = offline_app
    with pytest.raises(AppError, match="written in Japanese kana, but the language is English. Choose japanese"):
        client.predict(text="今日は良い天気ですね。", language="english", api_name="/clone")


def test_voice_id_offline_uses_the_builtin_voice_and_says_so(offline_app):
    client, _ = offline_app
    path, details = client.predict(text="Just the built-in voice.", voice_id="jacob", api_name="/clone")
    assert seconds_of(path) > 0.5
    assert "voice ids are not available offline" in details


def test_silent_reference_is_refused_with_a_specific_message(offline_app, tmp_path):
    client, _ = offline_app
    silent = silence_wav(tmp_path / "silence.wav", seconds=8.0)
    with pytest.raises(AppError, match="(?i)no speech"):
        client.predict(text="Hello.", reference=handle_file(str(silent)), api_name="/clone")


def test_modelslab_without_any_key_is_a_clear_error(offline_app, speech):
    client, _ = offline_app
    with pytest.raises(AppError, match="needs an API key"):
        client.predict(text="Hi.", reference=handle_file(str(speech)), backend="modelslab", api_name="/clone")


def test_sentences_stream_before_the_clip_is_finished(offline_app, speech):
    """The page's live player gets each sentence as soon as it is spoken, then the whole clip."""
    _, service = offline_app
    text = "This is the first sentence. Here is a second one. And a third to finish."
    items = list(service.run(text=text, reference=speech, backend="local"))
    partials = [item for item in items if isinstance(item, PartialAudio)]
    assert len(partials) >= 2 and isinstance(items[-1], CloneOutcome)
    assert items.index(partials[0]) == 0, "the first sentence is yielded before anything else"
    whole = seconds_of(str(items[-1].result.audio_path))
    assert sum(seconds_of(str(p.audio_path)) for p in partials) == pytest.approx(whole, abs=0.05)
