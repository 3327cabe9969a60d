"""The ModelsLab client against the loopback emulator, over real sockets."""

from __future__ import annotations

import io
import json
import wave

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.audio.data_uri import DataUri
from components.errors import (
    ApiAuthError,
    ApiProtocolError,
    ApiRateLimitError,
    ApiTimeoutError,
    DownloadError,
    JobFailedError,
)
from components.modelslab.client import ModelsLabClient, SubmitRequest, json_body
from tests.fakes.modelslab_emulator import VALID_KEY, wav_comment


def wav_data_uri(seconds: float) -> DataUri:
    """As the app sends a reference: a DataUri, spliced into the body rather than encoded."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000)
        out.writeframes(b"\x01\x00" * int(16000 * seconds))
    return DataUri.of("audio/wav", buffer.getvalue())


@pytest.fixture
def client(emulator):
    return ModelsLabClient(base_url=emulator.base_url, job_deadline_s=15.0)


def request(**overrides) -> SubmitRequest:
    values = dict(prompt="Hallo Welt", language="german", emotion="happy", init_audio=wav_data_uri(6))
    values.update(overrides)
    return SubmitRequest(**values)


def run(client: ModelsLabClient, tmp_path, req: SubmitRequest | None = None, tier: str | None = None):
    state = client.submit(req or request(), VALID_KEY, tier=tier)
    if state.status != "success":
        state = client.wait_for_result(state, VALID_KEY, tier=tier)
    return state, client.download(state, tmp_path / "out.wav")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.text(), json_values, max_size=5), st.binary(max_size=300), st.booleans())
def test_json_body_is_the_json_of_any_body(body, audio, as_data_uri):
    """A DataUri is spliced in unencoded; any other init_audio (quotes, newlines) takes the encoder."""
    body["init_audio"] = DataUri.of("audio/wav", audio) if as_data_uri else audio.decode("latin-1")
    assert json.loads(json_body(body)) == body


def test_a_plain_string_init_audio_is_still_sent_as_valid_json(emulator, client, tmp_path):
    plain = str(wav_data_uri(6))
    assert type(plain) is str
    state, path = run(client, tmp_path, request(init_audio=plain))
    assert emulator.submissions()[0].body["init_audio"] == plain
    assert state.job_id == wav_comment(path.read_bytes())


def test_success_sends_every_documented_field(emulator, client, tmp_path):
    state, path = run(client, tmp_path)
    body = emulator.submissions()[0].body
    assert emulator.submissions()[0].path == "/api/v1/enterprise/voice/text_to_audio"
    assert emulator.submissions()[0].headers["Content-Type"] == "application/json"
    assert body["key"] == VALID_KEY and body["prompt"] == "Hallo Welt"
    assert body["language"] == "german" and body["emotion"] == "happy"
    assert body["base64"] is True and body["init_audio"].startswith("data:audio/wav;base64,")
    assert body["webhook"] is None and len(body["track_id"]) == 36
    assert state.job_id == wav_comment(path.read_bytes())


def test_processing_is_polled_until_success(emulator, client, tmp_path):
    emulator.reset(mode="processing", eta_s=2.0)
    updates = []
    state = client.submit(request(), VALID_KEY)
    assert state.status == "processing" and state.eta_s == 2.0
    state = client.wait_for_result(state, VALID_KEY, on_update=updates.append)
    assert state.status == "success"
    assert emulator.fetches()[0].path.endswith(f"/api/v1/enterprise/voice/fetch/{state.job_id}")
    assert emulator.fetches()[0].body == {"key": VALID_KEY}
    assert 1 <= len(emulator.fetches()) <= 4, "polls about once a second after the eta"
    assert updates and updates[0].eta_left_s is not None


def test_standard_tier_uses_v6_paths(emulator, client, tmp_path):
    emulator.reset(mode="processing", eta_s=0.5)
    state, _ = run(client, tmp_path, request(emotion="neutral"), tier="standard")
    assert emulator.submissions()[0].path == "/api/v6/voice/text_to_audio"
    assert "emotion" not in emulator.submissions()[0].body  # not in the v6 spec; sent only when not neutral
    assert all(r.path.startswith("/api/v6/voice/fetch/") for r in emulator.fetches())


def test_voice_id_only_sends_no_audio(emulator, client, tmp_path):
    run(client, tmp_path, request(init_audio=None, voice_id="jacob"))
    body = emulator.submissions()[0].body
    assert body["voice_id"] == "jacob" and "init_audio" not in body and "base64" not in body


@pytest.mark.parametrize(
    ("mode", "error", "fragment"),
    [
        ("error_200", JobFailedError, "Voice cloning server is overloaded"),
        ("messege", JobFailedError, "Model is loading"),
        ("message_object", JobFailedError, "init_audio: The init audio is invalid."),
        ("unauthorized", ApiAuthError, "Invalid Api Key"),
        ("html", ApiProtocolError, "a web page instead of JSON"),
        ("truncated", ApiProtocolError, "instead of JSON"),
    ],
)
def test_submit_errors_carry_the_server_message(emulator, client, tmp_path, mode, error, fragment):
    emulator.reset(mode=mode)
    with pytest.raises(error) as info:
        client.submit(request(), VALID_KEY)
    assert fragment in info.value.user_message
    assert VALID_KEY not in info.value.user_message


def test_rate_limit_429_honours_retry_after_then_succeeds(emulator, client, tmp_path):
    emulator.reset(mode="rate_limit", rate_limit_times=1, retry_after_s=1)
    state, path = run(client, tmp_path)
    assert len(emulator.submissions()) == 2 and path.stat().st_size > 1000


def test_rate_limit_that_persists_is_reported(emulator, client):
    emulator.reset(mode="rate_limit", rate_limit_times=99, retry_after_s=0)
    with pytest.raises(ApiRateLimitError, match="HTTP 429"):
        client.submit(request(), VALID_KEY)
    assert len(emulator.submissions()) == 4  # first try + 3 retries, nothing more


def test_spam_filter_body_is_retried(emulator, tmp_path):
    waits = []
    client = ModelsLabClient(base_url=emulator.base_url, sleep=waits.append)
    emulator.reset(mode="spam_filter", rate_limit_times=1)
    state = client.submit(request(), VALID_KEY)
    assert state.status == "success" and waits == [5.0]


def test_wrong_key_is_an_auth_error(emulator, client):
    with pytest.raises(ApiAuthError, match="rejected the API key"):
        client.submit(request(), "not-the-key-000")


def test_failed_try_again_is_retried_a_bounded_number_of_times(emulator, client, tmp_path):
    emulator.reset(mode="failed_then_ok", eta_s=0.2, fail_times=2)
    state, path = run(client, tmp_path)
    assert state.status == "success" and path.exists()
    emulator.reset(mode="failed_then_ok", eta_s=0.2, fail_times=10)
    with pytest.raises(JobFailedError, match="Failed, Try Again"):
        run(client, tmp_path)


def test_terminal_failure_names_the_job(emulator, client, tmp_path):
    emulator.reset(mode="failed_terminal", eta_s=0.2)
    with pytest.raises(JobFailedError) as info:
        run(client, tmp_path)
    assert "speaker audio unusable" in info.value.user_message
    assert info.value.job_id and info.value.job_id in info.value.user_message


def test_links_only_body_downloads(emulator, client, tmp_path):
    emulator.reset(mode="links_only")
    state, path = run(client, tmp_path)
    assert state.status == "success" and state.job_id is None and path.read_bytes()[:4] == b"RIFF"


def test_string_output_and_string_id(emulator, client, tmp_path):
    emulator.reset(mode="string_output", eta_s=0.5)
    state, path = run(client, tmp_path)
    assert isinstance(state.job_id, str) and path.exists()


def test_an_mp3_result_is_named_mp3(emulator, client, tmp_path):
    """Players and Gradio's playability check go by the extension: MP3 bytes must not be saved as .wav."""
    emulator.reset(mode="result_mp3")
    _, path = run(client, tmp_path)
    assert path == tmp_path / "out.mp3" and not (tmp_path / "out.wav").exists()
    assert path.read_bytes()[:2] == b"\xff\xf3"


def test_result_that_404s_at_first_is_retried(emulator, client, tmp_path):
    emulator.reset(mode="result_404_first", not_found_times=2)
    _, path = run(client, tmp_path)
    assert path.read_bytes()[:4] == b"RIFF"


@pytest.mark.parametrize(
    ("mode", "fragment"),
    [("result_html", "returned a web page"), ("result_not_audio", "not audio"), ("result_huge", "MB cap")],
)
def test_bad_results_are_refused(emulator, tmp_path, mode, fragment):
    client = ModelsLabClient(base_url=emulator.base_url, max_download_bytes=5 * 1024 * 1024)
    emulator.reset(mode=mode)
    with pytest.raises(DownloadError, match=fragment):
        run(client, tmp_path)
    assert not list(tmp_path.iterdir()), "no partial file left behind"


def test_job_that_never_finishes_hits_the_deadline_and_names_the_job(emulator, tmp_path):
    client = ModelsLabClient(base_url=emulator.base_url, job_deadline_s=2.5)
    emulator.reset(mode="never_finishes", eta_s=0.5)
    state = client.submit(request(), VALID_KEY)
    with pytest.raises(ApiTimeoutError) as info:
        client.wait_for_result(state, VALID_KEY)
    assert state.job_id in info.value.user_message and info.value.job_id == state.job_id


def test_server_errors_on_fetch_are_retried(emulator, client, tmp_path):
    emulator.reset(mode="server_error_then_ok", eta_s=0.2, fail_times=2)
    state, _ = run(client, tmp_path)
    assert state.status == "success"


def test_https_is_required_for_results_from_an_https_api(tmp_path):
    from components.modelslab.types import JobState

    client = ModelsLabClient(base_url="https://modelslab.example")
    state = JobState(status="success", audio_urls=("http://cdn.example/x.wav",))
    with pytest.raises(DownloadError, match="not https"):
        client.download(state, tmp_path / "x.wav")


def test_the_key_is_only_sent_to_the_api_host(emulator, client):
    from components.modelslab.types import JobState

    foreign = JobState(status="processing", job_id="42", fetch_url="http://attacker.example/steal")
    assert client.fetch_url_for(foreign) == f"{emulator.base_url}/api/v1/enterprise/voice/fetch/42"


def test_connection_refused_is_a_clear_message(tmp_path):
    from tests.conftest import free_port

    client = ModelsLabClient(base_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(Exception) as info:
        client.submit(request(), VALID_KEY)
    assert "connection refused" in info.value.user_message
