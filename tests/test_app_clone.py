"""The public /clone endpoint, driven by gradio_client against the in-process app and the emulator."""

from __future__ import annotations

import base64
import wave

import pytest
import requests
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from tests.audio_factory import speech_wav, transcode
from tests.conftest import app_settings, running_app
from tests.fakes.modelslab_emulator import VALID_KEY, audio_seconds, wav_comment


@pytest.fixture(scope="module")
def app(emulator_server):
    with running_app(app_settings(emulator_server)) as (client, service):
        yield client, service


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("speech") / "my voice sample.wav", seconds=8.0)


def clone(client, **kwargs):
    values = dict(text="Guten Morgen, wie geht es dir?", voice_id="", language="german", emotion="happy", backend="modelslab")
    values.update(kwargs)
    return client.predict(api_name="/clone", **values)


def sent_reference_seconds(emulator) -> float:
    init_audio = emulator.submissions()[-1].body["init_audio"]
    header, _, payload = init_audio.partition(",")
    assert header == "data:audio/wav;base64"
    return audio_seconds(base64.b64decode(payload))


def test_clone_through_modelslab_returns_playable_audio(app, emulator, speech):
    client, _ = app
    audio_path, details = clone(client, reference=handle_file(str(speech)))
    with wave.open(audio_path) as result:
        assert result.getnframes() > 0
    body = emulator.submissions()[0].body
    assert body["key"] == VALID_KEY and body["base64"] is True
    assert body["language"] == "german" and body["emotion"] == "happy" and body["track_id"]
    assert body["prompt"] == "Guten Morgen, wie geht es dir?"
    assert 4.0 <= sent_reference_seconds(emulator) <= 30.0
    job_id = str(emulator.jobs and next(iter(emulator.jobs)))
    assert wav_comment(open(audio_path, "rb").read()) == job_id
    assert "ModelsLab" in details and job_id in details and VALID_KEY not in details


def test_view_api_names_the_contract_parameters(app):
    client, _ = app
    info = client.view_api(return_format="dict", print_info=False)
    params = [p["parameter_name"] for p in info["named_endpoints"]["/clone"]["parameters"]]
    assert params[:7] == ["text", "reference", "voice_id", "language", "emotion", "backend", "api_key"]
    assert len(info["named_endpoints"]["/clone"]["returns"]) == 2


@pytest.mark.parametrize(
    ("mode", "extra"),
    [
        ("success", {}),
        ("processing", {"eta_s": 1.5}),
        ("links_only", {}),
        ("failed_then_ok", {"eta_s": 0.3}),
        ("result_404_first", {}),
        ("string_output", {"eta_s": 0.3}),
        ("rate_limit", {"retry_after_s": 1}),
        ("server_error_then_ok", {"eta_s": 0.3}),
    ],
)
def test_every_successful_response_shape(app, emulator, speech, mode, extra):
    client, _ = app
    emulator.reset(mode=mode, **extra)
    audio_path, details = clone(client, reference=handle_file(str(speech)))
    assert open(audio_path, "rb").read(4) == b"RIFF"
    assert "**Backend:** ModelsLab" in details


def test_an_mp3_result_reaches_the_caller_as_mp3(app, emulator, speech):
    client, _ = app
    emulator.reset(mode="result_mp3")
    audio_path, details = clone(client, reference=handle_file(str(speech)))
    assert audio_path.endswith(".mp3") and open(audio_path, "rb").read(3) == b"ID3"  # our disclosure tag
    assert "**Backend:** ModelsLab" in details
    from mutagen.mp3 import MP3

    clip = MP3(audio_path)
    assert clip.info.length > 0 and clip.tags.getall("COMM")[0].text[0].startswith("AI-generated voice")


@pytest.mark.parametrize(
    ("mode", "fragment"),
    [
        ("error_200", "Voice cloning server is overloaded"),
        ("messege", "Model is loading"),
        ("message_object", "The init audio is invalid"),
        ("unauthorized", "rejected the API key"),
        ("failed_terminal", "speaker audio unusable"),
        ("html", "a web page instead of JSON"),
        ("result_html", "returned a web page"),
    ],
)
def test_every_failing_response_shape_gives_a_specific_message(app, emulator, speech, mode, fragment):
    client, _ = app
    emulator.reset(mode=mode, eta_s=0.3)
    with pytest.raises(AppError, match=fragment) as info:
        clone(client, reference=handle_file(str(speech)))
    assert VALID_KEY not in str(info.value) and "Traceback" not in str(info.value)


@pytest.mark.parametrize("suffix", [".wav", ".mp3", ".m4a", ".ogg", ".webm", ".flac", ".opus"])
def test_every_input_format_reaches_the_api_as_a_valid_wav(app, emulator, speech, tmp_path, suffix):
    client, _ = app
    source = speech if suffix == ".wav" else transcode(speech, tmp_path / f"sample{suffix}")
    audio_path, details = clone(client, reference=handle_file(str(source)), language="french", emotion="sad")
    assert 4.0 <= sent_reference_seconds(emulator) <= 30.0
    assert open(audio_path, "rb").read(4) == b"RIFF"
    assert emulator.submissions()[-1].body["language"] == "french"


def test_voice_id_without_reference(app, emulator):
    client, _ = app
    _, details = clone(client, reference=None, voice_id="jacob")
    body = emulator.submissions()[0].body
    assert body["voice_id"] == "jacob" and "init_audio" not in body
    assert "jacob" in details


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"text": "   "}, "text box is empty"),
        ({"language": "klingon"}, "Unknown language"),
        ({"emotion": "ecstatic"}, "Unknown emotion"),
        ({"backend": "gpu"}, "Unknown backend"),
        ({"reference": None, "voice_id": ""}, "Record or upload a voice sample"),
        ({"text": "x" * 10001}, "limit is 10000"),
    ],
)
def test_bad_input_gets_a_specific_message(app, emulator, speech, kwargs, fragment):
    client, _ = app
    values = {"reference": handle_file(str(speech)), **kwargs}
    with pytest.raises(AppError, match=fragment):
        clone(client, **values)
    assert not emulator.submissions(), "nothing is sent (or charged) for bad input"


def test_too_short_reference_says_how_long_it_was(app, emulator, tmp_path):
    client, _ = app
    short = speech_wav(tmp_path / "short.wav", seconds=2.0)
    with pytest.raises(AppError, match=r"4.30 s") as info:
        clone(client, reference=handle_file(str(short)))
    assert "s of speech" in str(info.value)
    assert not emulator.submissions()


def test_language_and_emotion_are_case_insensitive(app, emulator, speech):
    client, _ = app
    clone(client, reference=handle_file(str(speech)), language=" German ", emotion="HAPPY")
    body = emulator.submissions()[0].body
    assert (body["language"], body["emotion"]) == ("german", "happy")


def test_the_server_key_never_reaches_the_browser(app, emulator):
    client, _ = app
    base = client.src.rstrip("/")
    for path in ("/", "/config", "/gradio_api/info"):
        page = requests.get(base + path, timeout=10).text
        assert VALID_KEY not in page, path


def test_visitor_key_is_used_when_the_server_has_none(emulator_server, speech):
    emulator_server.reset()
    settings = app_settings(emulator_server, api_key="")
    with running_app(settings) as (client, _):
        with pytest.raises(AppError, match="needs an API key"):
            clone(client, reference=handle_file(str(speech)), api_key="")
        _, details = clone(client, reference=handle_file(str(speech)), api_key=VALID_KEY)
    assert emulator_server.submissions()[-1].body["key"] == VALID_KEY
    assert VALID_KEY not in details


def test_per_visitor_rate_limit(emulator_server, speech, tmp_path):
    emulator_server.reset()
    too_short = speech_wav(tmp_path / "short.wav", seconds=2.0)
    with running_app(app_settings(emulator_server, rate_limit_per_minute=2)) as (client, _):
        clone(client, reference=handle_file(str(speech)))
        for _ in range(3):  # bad input is refused with its own message and does not use up the limit
            with pytest.raises(AppError, match="speak a little longer"):
                clone(client, reference=handle_file(str(too_short)))
        clone(client, reference=handle_file(str(speech)))
        with pytest.raises(AppError, match=r"Try again in \d+ s"):
            clone(client, reference=handle_file(str(speech)))
    assert len(emulator_server.submissions()) == 2
