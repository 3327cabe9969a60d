"""An account's voice library (voice_upload, voice_list, base64_to_url) against the emulator, over real
sockets, and the parsers of their bodies."""

from __future__ import annotations

import pytest
from hypothesis import given

from components.errors import ApiAuthError, ApiError, ApiProtocolError
from components.modelslab.client import ModelsLabClient
from components.modelslab.voice_types import (
    parse_uploaded_url,
    parse_voice_list,
    parse_voice_upload,
)
from components.modelslab.voices import AccountVoice, ModelsLabVoices
from tests.fakes.emulated_voices import TRAINED_VOICES
from tests.fakes.modelslab_emulator import VALID_KEY
from tests.modelslab.test_client import json_values, wav_data_uri


@pytest.fixture
def voices(emulator):
    return ModelsLabVoices(ModelsLabClient(base_url=emulator.base_url))


def paths(emulator) -> list[str]:
    return [request.path for request in emulator.requests]


def test_standard_upload_sends_the_sample_as_base64(voices, emulator):
    voice_id = voices.upload(name="Anna Maria", language="german", sample=wav_data_uri(12), api_key=VALID_KEY, tier="standard")
    assert voice_id == "anna_maria"
    assert paths(emulator) == ["/api/v6/voice/voice_upload"]
    body = emulator.requests[0].body
    assert body["base64"] is True and body["init_audio"].startswith("data:audio/wav;base64,")
    assert (body["name"], body["language"], body["key"]) == ("Anna Maria", "german", VALID_KEY)
    assert emulator.voice_library.voices["anna_maria"].tier == "v6"


def test_enterprise_upload_turns_the_sample_into_a_url_first(voices, emulator):
    voice_id = voices.upload(name="Bob", language="english", sample=wav_data_uri(12), api_key=VALID_KEY, tier="enterprise")
    assert voice_id == "bob"
    assert paths(emulator) == ["/api/v6/voice/base64_to_url", "/api/v1/enterprise/voice/voice_upload"]
    url = emulator.requests[1].body["init_audio"]
    assert url.startswith(emulator.base_url + "/uploads/") and url.endswith(".wav")
    assert "base64" not in emulator.requests[1].body
    # The emulator fetched exactly the sample we sent, as the real API would.
    assert emulator.voice_library.voices["bob"].audio.startswith(b"RIFF")


def test_two_voices_of_the_same_name_get_their_own_ids(voices):
    first = voices.upload(name="Anna", language="english", sample=wav_data_uri(8), api_key=VALID_KEY, tier="standard")
    second = voices.upload(name="Anna", language="english", sample=wav_data_uri(8), api_key=VALID_KEY, tier="standard")
    assert first != second


def test_list_shows_uploaded_voices_and_the_trained_ones(voices, emulator):
    voices.upload(name="Carla", language="spanish", sample=wav_data_uri(8), api_key=VALID_KEY, tier="standard")
    assert voices.list_voices(VALID_KEY, "manual") == (AccountVoice("carla", "Carla", "spanish", "manual"),)
    trained = voices.list_voices(VALID_KEY, "trained")
    assert [voice.voice_id for voice in trained] == [voice["voice_id"] for voice in TRAINED_VOICES]
    assert all(voice.kind == "trained" for voice in trained)
    assert {r.body["type"] for r in emulator.requests if r.path.endswith("voice_list")} == {"manual", "trained"}


@pytest.mark.parametrize(
    ("mode", "call", "said"),
    [
        ("voice_upload_error", "upload_standard", "init_audio: The init audio must be between 10 and 25 seconds."),
        ("base64_to_url_error", "upload_enterprise", "Invalid base64 string"),
        ("voice_list_error", "list", "Voice list not available for this plan"),
    ],
)
def test_each_error_body_becomes_a_message_with_the_servers_words(voices, emulator, mode, call, said):
    emulator.reset(mode=mode)
    with pytest.raises(ApiError) as caught:
        if call == "list":
            voices.list_voices(VALID_KEY)
        else:
            tier = "standard" if call == "upload_standard" else "enterprise"
            voices.upload(name="Dora", language="english", sample=wav_data_uri(8), api_key=VALID_KEY, tier=tier)
    assert said in caught.value.user_message
    assert emulator.voice_library.voices == {}  # nothing was stored
    if mode == "base64_to_url_error":  # the upload itself was never attempted
        assert not any(path.endswith("voice_upload") for path in paths(emulator))


def test_a_wrong_key_is_named_as_such(voices, emulator):
    with pytest.raises(ApiAuthError, match="rejected the API key"):
        voices.list_voices("not-the-key-123456")
    with pytest.raises(ApiAuthError):
        voices.upload(name="Eve", language="english", sample=wav_data_uri(8), api_key="not-the-key-123456")
    assert emulator.voice_library.voices == {}


def test_the_api_refusing_a_short_sample_says_so(voices):
    with pytest.raises(ApiError, match="4 to 30 seconds"):
        voices.upload(name="Fay", language="english", sample=wav_data_uri(2), api_key=VALID_KEY, tier="standard")


# -- the parsers, on the quirks the API is known for ----------------------------------------------


def test_upload_answer_quirks():
    assert parse_voice_upload({"status": "success", "voice_id": 1234}, "k") == "1234"
    assert parse_voice_upload({"status": "success", "id": "x\ny"}, "k") == "x y"
    with pytest.raises(ApiProtocolError, match="no voice id"):
        parse_voice_upload({"status": "success", "message": "voice uploaded successfully"}, "k")
    with pytest.raises(ApiError, match="wrong language"):
        parse_voice_upload({"status": "failed", "messege": "wrong language"}, "k")


def test_list_answer_quirks():
    listed = parse_voice_list(
        {"status": "success", "voices": [
            {"voice_id": "a", "name": "A", "language": "English"}, {"voice_id": 7}, "junk", {"name": "no id"},
            {"voice_id": "a", "name": "duplicate"},
        ]},
        "k", "manual",
    )  # fmt: skip
    assert listed == (AccountVoice("a", "A", "english", "manual"), AccountVoice("7", "7", "", "manual"))
    assert parse_voice_list({"status": "success"}, "k", "manual") == ()
    with pytest.raises(ApiProtocolError):
        parse_voice_list({"status": "success", "voices": "actor"}, "k", "manual")


def test_url_answer_quirks():
    assert parse_uploaded_url({"status": "success", "output": "https://x.test/a.wav"}, "k") == "https://x.test/a.wav"
    with pytest.raises(ApiProtocolError, match="no link"):
        parse_uploaded_url({"status": "success", "output": ["ftp://x.test/a.wav"]}, "k")


def test_a_key_quoted_back_by_the_api_is_redacted():
    with pytest.raises(ApiError) as caught:
        parse_voice_upload({"status": "error", "message": "bad key secret-key-123456"}, "secret-key-123456")
    assert "secret-key-123456" not in caught.value.user_message


@given(json_values)
def test_any_body_gives_a_result_or_an_api_error(payload):
    for parse in (parse_voice_upload, parse_uploaded_url, lambda p, k: parse_voice_list(p, k, "manual")):
        try:
            parse(payload, "k")
        except ApiError:
            pass
