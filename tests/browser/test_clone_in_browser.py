"""A person's path through the page in Chromium: record or upload, type, choose, Generate, listen.

The microphone is Chromium's fake capture device playing real speech (see conftest.py), so the
recording goes through the browser's MediaRecorder and Gradio's upload exactly as a person's does.
"""

from __future__ import annotations

import base64
import re

import pytest

from tests.audio_factory import speech_wav, transcode
from tests.fakes.modelslab_emulator import VALID_KEY, audio_seconds

pytestmark = pytest.mark.browser

RECORD_SECONDS = 6.5
GERMAN_TEXT = "Guten Morgen! Das ist meine Stimme, geklont im Browser."
FRENCH_TEXT = "Bonjour à tous, voici ma voix clonée à partir d'un fichier."
SPANISH_TEXT = "Hola a todos. Esta voz se hizo sin conexión, en este mismo servidor."
TOO_SHORT = re.compile(
    r"only \d+(\.\d+)? s of speech.*needs 4.30 s|too short", re.IGNORECASE | re.DOTALL
)
"""The specific message for a sample with under 4 s of speech (not a generic failure)."""
SAMPLE_READY = re.compile(r"(\d+(?:\.\d+)?) s of speech")
SAMPLE_PROBLEM = re.compile(r"can.t use|⚠", re.IGNORECASE)


@pytest.fixture(scope="module")
def speech_mp3(tmp_path_factory):
    """A 9 s speech sample as an MP3, the kind of file a person uploads."""
    folder = tmp_path_factory.mktemp("upload")
    return transcode(
        speech_wav(folder / "sample.wav", 9.0), folder / "my voice.mp3", "-b:a", "128k"
    )


@pytest.fixture(scope="module")
def speech_upload_wav(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("upload-wav") / "sample.wav", 8.0)


def speech_seconds_ready(report: str) -> float:
    """The app's verdict on a usable sample: how many seconds of speech it found."""
    match = SAMPLE_READY.search(report)
    assert match and not SAMPLE_PROBLEM.search(report), report
    return float(match.group(1))


def sent_reference_seconds(emulator) -> float:
    """Length of the reference the app sent to the (emulated) API, decoded from its data URI."""
    header, _, payload = emulator.submissions()[-1].body["init_audio"].partition(",")
    assert header == "data:audio/wav;base64"
    return audio_seconds(base64.b64decode(payload))


def assert_playable(studio, expected_s: float | None = None, at_least_s: float = 0.5) -> float:
    """The output player holds audio the browser can decode and play; returns its duration."""
    duration = studio.output_duration()
    if expected_s is not None:
        assert duration == pytest.approx(expected_s, abs=0.05)
    assert duration >= at_least_s
    playback = studio.play_output()
    assert playback["error"] is None and playback["reached"] > 0.1, playback
    return duration


def test_record_from_microphone_and_generate_with_modelslab(studio, modelslab_app, emulator):
    studio.open(modelslab_app.url)
    assert speech_seconds_ready(studio.record(RECORD_SECONDS)) >= 4.0
    studio.type_text(GERMAN_TEXT)
    studio.choose_language("German")
    studio.choose_emotion("happy")
    studio.generate()
    details = studio.wait_for_result()

    assert_playable(studio, expected_s=emulator.scenario.result_seconds)
    body = emulator.submissions()[-1].body
    assert body["prompt"] == GERMAN_TEXT
    assert (body["language"], body["emotion"]) == ("german", "happy")
    # What the mic captured (≈ 6.5 s of speech) reached the API as a 4-30 s reference.
    assert 4.0 <= sent_reference_seconds(emulator) <= RECORD_SECONDS + 2.0  # + click latency
    job_id = next(iter(emulator.jobs))
    assert "ModelsLab" in details and job_id in details and VALID_KEY not in details
    assert not studio.page_errors
    studio.screenshot("mic_modelslab")


def test_upload_mp3_and_generate_with_modelslab(studio, modelslab_app, emulator, speech_mp3):
    studio.open(modelslab_app.url)
    assert speech_seconds_ready(studio.upload(speech_mp3)) >= 8.0
    studio.type_text(FRENCH_TEXT)
    studio.choose_language("French")
    studio.choose_emotion("sad")
    studio.generate()
    details = studio.wait_for_result()

    assert_playable(studio, expected_s=emulator.scenario.result_seconds)
    body = emulator.submissions()[-1].body
    assert body["prompt"] == FRENCH_TEXT
    assert (body["language"], body["emotion"]) == ("french", "sad")
    assert 4.0 <= sent_reference_seconds(emulator) <= 9.5
    assert "ModelsLab" in details
    assert not studio.page_errors
    studio.screenshot("upload_modelslab")


def test_record_from_microphone_and_generate_offline_without_a_key(studio, offline_app):
    studio.open(offline_app.url)
    assert speech_seconds_ready(studio.record(RECORD_SECONDS)) >= 4.0
    studio.type_text(SPANISH_TEXT)
    studio.choose_language("Spanish")
    studio.choose_emotion("happy")
    studio.generate()
    details = studio.wait_for_result(timeout_s=120)

    # Two sentences of speech: a couple of seconds at the very least, never a click or a minute.
    duration = assert_playable(studio, at_least_s=2.0)
    assert duration < 30.0
    assert "offline" in details.lower()
    assert not studio.page_errors
    studio.screenshot("mic_offline")


def test_two_second_recording_says_too_short_and_keeps_the_text(studio, modelslab_app, emulator):
    studio.open(modelslab_app.url)
    report = studio.record(2.0)
    assert TOO_SHORT.search(report), report  # said at once, before Generate
    studio.type_text(GERMAN_TEXT)
    studio.choose_language("German")
    studio.generate()

    messages = studio.error_messages()
    assert any(TOO_SHORT.search(message) for message in messages), messages
    assert studio.text.input_value() == GERMAN_TEXT
    assert studio.page.locator("#language input").input_value() == "German"
    assert studio.reference.locator("audio[src]").count() >= 1  # the recording is still there
    assert studio.output_player.count() == 0
    assert emulator.submissions() == []  # nothing was sent (or charged) for an unusable sample
    studio.screenshot("mic_too_short")


@pytest.mark.parametrize(
    ("mode", "server_message"),
    [
        ("error_200", "Voice cloning server is overloaded"),  # refused at submit
        ("failed_terminal", "speaker audio unusable"),  # failed while processing
    ],
)
def test_emulator_error_shows_the_server_message(
    studio, modelslab_app, emulator, speech_upload_wav, mode, server_message
):
    emulator.reset(mode=mode, eta_s=0.3)
    studio.open(modelslab_app.url)
    speech_seconds_ready(studio.upload(speech_upload_wav))
    studio.type_text(GERMAN_TEXT)
    studio.generate()

    messages = studio.error_messages()
    assert any(server_message in message for message in messages), messages
    assert all(VALID_KEY not in message and "Traceback" not in message for message in messages)
    assert studio.text.input_value() == GERMAN_TEXT
    assert studio.output_player.count() == 0
    assert not studio.page_errors
    studio.screenshot(f"modelslab_error_{mode}")


def test_a_webm_recording_gets_in_through_the_file_box(studio, modelslab_app, emulator, tmp_path):
    """Browsers refuse .webm in the audio box; the file box converts it and fills the audio box."""
    from playwright.sync_api import expect

    webm = transcode(speech_wav(tmp_path / "take.wav", 8.0), tmp_path / "browser take.webm", "-c:a", "libopus")
    studio.open(modelslab_app.url)
    studio.page.get_by_text("Have a .webm, .mp4 or .mov recording?").click()
    studio.page.locator("#reference_file input[type=file]").set_input_files(str(webm))
    report = studio.wait_for_reference_report()
    assert "WebM" in report and speech_seconds_ready(report) >= 4.0
    studio.tick_consent()
    studio.type_text(FRENCH_TEXT)
    studio.generate()
    studio.wait_for_result()
    assert_playable(studio)
    assert 4.0 <= sent_reference_seconds(emulator) <= 30.0
    expect(studio.page.locator("#reference_audio audio[src]").first).to_be_attached()
    studio.screenshot("webm-via-file-box")


def test_character_counter_follows_pasted_text(studio, offline_app):
    from playwright.sync_api import expect

    studio.open(offline_app.url)
    studio.text.click()
    studio.page.keyboard.insert_text("Pasted: hello there.")
    expect(studio.page.locator("#char_count")).to_contain_text("20 / 10,000 characters · parts: 1")
