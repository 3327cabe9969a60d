"""`/voices`, `/save_voice` and `/clone` with library voice ids, through gradio_client against the in-process
app and the loopback emulator (real sockets)."""

from __future__ import annotations

import base64

import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from components.library import EXAMPLE_VOICES
from tests.audio_factory import speech_wav
from tests.conftest import app_settings, running_app
from tests.fakes.modelslab_emulator import VALID_KEY, audio_seconds

EXAMPLE_IDS = [voice.voice_id for voice in EXAMPLE_VOICES]


@pytest.fixture(scope="module")
def app(emulator_server):
    with running_app(app_settings(emulator_server)) as (client, service):
        yield client, service


@pytest.fixture(scope="module")
def keyless_app():
    """No key on the server: offline by default, as on a fresh machine."""
    with running_app(app_settings(None)) as (client, service):
        yield client, service


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("speech") / "my voice.wav", seconds=12.0)


def save_voice(client, speech, **overrides):
    values = dict(reference=handle_file(str(speech)), name="Anna", language="german", consent=True, api_key="", tier="standard")
    values.update(overrides)
    return client.predict(api_name="/save_voice", **values)


def test_the_api_names_the_contract_parameters(app):
    client, _ = app
    endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert [p["parameter_name"] for p in endpoints["/voices"]["parameters"]] == ["api_key"]
    save = [p["parameter_name"] for p in endpoints["/save_voice"]["parameters"]]
    assert save == ["reference", "name", "language", "consent", "api_key", "tier"]
    assert len(endpoints["/save_voice"]["returns"]) == 2
    clone = [p["parameter_name"] for p in endpoints["/clone"]["parameters"]]
    assert clone[:7] == ["text", "reference", "voice_id", "language", "emotion", "backend", "api_key"]


def test_voices_without_a_key_lists_the_examples(keyless_app):
    client, _ = keyless_app
    voices = client.predict(api_name="/voices")
    assert [v["id"] for v in voices] == EXAMPLE_IDS
    assert all(v["source"] == "example" and v["language"] == "english" and v["name"] for v in voices)


def test_voices_with_the_servers_key_adds_the_accounts(app, emulator):
    client, _ = app
    voices = client.predict(api_name="/voices")
    account = [v for v in voices if v["source"] == "modelslab"]
    assert [v["id"] for v in voices[: len(EXAMPLE_IDS)]] == EXAMPLE_IDS
    assert {"actor", "tom_hank", "jack_sparrow"} <= {v["id"] for v in account}
    assert all(set(v) == {"id", "name", "language", "source"} for v in voices)


def test_voices_with_a_wrong_key_says_so(app, emulator):
    client, _ = app
    with pytest.raises(AppError, match="rejected the API key"):
        client.predict(api_key="wrong-key-12345678", api_name="/voices")


def test_save_voice_needs_consent_and_a_key_and_uploads_nothing_otherwise(app, keyless_app, emulator, speech):
    with pytest.raises(AppError, match="consent=True"):
        save_voice(app[0], speech, consent=False)
    with pytest.raises(AppError, match="needs an API key"):
        save_voice(keyless_app[0], speech)
    assert emulator.requests == []


def test_a_saved_voice_is_then_used_by_id_without_a_sample(app, emulator, speech):
    client, _ = app
    voice_id, details = save_voice(client, speech, name="Anna", language="german", tier="standard")
    assert voice_id == "anna" and "`anna`" in details
    uploaded = emulator.voice_library.voices["anna"]
    assert uploaded.language == "german" and 4.0 <= audio_seconds(uploaded.audio) <= 30.0
    assert voice_id in [v["id"] for v in client.predict(api_name="/voices")]

    audio, details = client.predict(text="Hallo!", voice_id=voice_id, language="german", api_name="/clone")
    body = emulator.submissions()[-1].body
    assert body["voice_id"] == "anna" and "init_audio" not in body
    assert "anna" in details


def test_save_voice_on_the_enterprise_tier_goes_through_base64_to_url(app, emulator, speech):
    client, _ = app
    voice_id, _ = save_voice(client, speech, name="Bob", language="english", tier="enterprise")
    paths = [r.path for r in emulator.requests]
    assert paths == ["/api/v6/voice/base64_to_url", "/api/v1/enterprise/voice/voice_upload"]
    assert voice_id == "bob"


def test_save_voice_shows_the_apis_error(app, emulator, speech):
    emulator.reset(mode="voice_upload_error")
    with pytest.raises(AppError, match="between 10 and 25 seconds"):
        save_voice(app[0], speech, tier="standard")


def test_an_example_voice_clones_through_the_api(app, emulator):
    client, _ = app
    audio, details = client.predict(text="Hello there.", voice_id="example:nora", language="german", api_name="/clone")
    body = emulator.submissions()[-1].body
    assert "voice_id" not in body  # resolved on the server: its audio is the reference
    header, _, payload = body["init_audio"].partition(",")
    assert header == "data:audio/wav;base64" and 10.0 < audio_seconds(base64.b64decode(payload)) < 20.0
    assert "example voice Nora" in details and "LibriSpeech" in details
    assert "English accent" in details  # an English sample, a German text


def test_an_example_voice_clones_offline(keyless_app):
    client, _ = keyless_app
    audio, details = client.predict(text="Good morning.", voice_id="example:owen", api_name="/clone")
    assert "offline" in details and "example voice Owen" in details


def test_an_unknown_example_id_is_a_clear_error(app, emulator):
    with pytest.raises(AppError, match="no example voice 'example:nobody'"):
        app[0].predict(text="Hi.", voice_id="example:nobody", api_name="/clone")
    assert emulator.submissions() == []


def test_the_library_endpoints_are_mcp_tools_an_agent_can_read(keyless_app):
    import requests

    client, _ = keyless_app
    tools = {tool["name"]: tool for tool in requests.get(client.src + "gradio_api/mcp/schema", timeout=30).json()}
    assert list(tools["voices"]["inputSchema"]["properties"]) == ["api_key"]
    save = tools["save_voice"]
    assert list(save["inputSchema"]["properties"]) == ["reference", "name", "language", "consent", "api_key", "tier"]
    assert "consent=True" in save["description"] and "permission" in save["inputSchema"]["properties"]["consent"]["description"]


def test_a_saved_voice_sent_by_id_is_still_scored_against_its_sample(app, emulator, speech):
    """The page's path: a saved voice on the ModelsLab account goes as its voice id, no sample; the
    clip's voice match still compares it with the saved voice's own sample."""
    from components.clip_match import NO_SAMPLE_LINE
    from components.clone_service import CloneOutcome
    from components.library import Library

    _, service = app
    emulator.reset(result_seconds=6.0)
    saved = service.library.save(
        speech, name="Cara", language="english", consent=True, library=Library(), to_account=True,
        api_key=VALID_KEY, tier="standard",
    )
    outcome = next(item for item in service.run(
        text="Hello there.", reference=None, voice_id=saved.voice.picker_value, backend="modelslab",
        saved_voices=saved.library.to_value(),
    ) if isinstance(item, CloneOutcome))  # fmt: skip
    body = emulator.submissions()[-1].body
    assert body["voice_id"] == "cara" and "init_audio" not in body
    assert "Voice match:" in outcome.details and NO_SAMPLE_LINE not in outcome.details
    assert outcome.match is not None
