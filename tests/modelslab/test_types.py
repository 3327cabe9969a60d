"""Every documented response shape parses into one JobState (reference/modelslab-api.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.errors import ApiProtocolError
from components.modelslab.types import JobState

ENTERPRISE_SUCCESS = {
    "status": "success", "generationTime": 1.4285192489624, "id": 334166,
    "output": ["https://pub.example/generations/b2.wav"], "proxy_links": ["https://cdn2.example/generations/b2.wav"],
    "meta": {"base64": "no", "emotion": "Neutral", "temp": "no"},
}


def test_enterprise_success():
    state = JobState.from_json(ENTERPRISE_SUCCESS)
    assert state.status == "success" and state.job_id == "334166"
    assert state.audio_urls == ("https://pub.example/generations/b2.wav", "https://cdn2.example/generations/b2.wav")


def test_processing_with_future_links():
    state = JobState.from_json({
        "status": "processing", "eta": 100, "fetch_result": "https://modelslab.com/api/v6/voice/fetch/334166",
        "id": 334166, "output": [], "future_links": ["https://pub.example/f.wav"], "tip": "processing in background",
    })
    assert (state.status, state.eta_s, state.job_id) == ("processing", 100.0, "334166")
    assert state.fetch_url.endswith("/fetch/334166") and state.audio_urls == ("https://pub.example/f.wav",)


def test_fetch_processing_with_string_output():
    state = JobState.from_json({"status": "processing", "message": "try again later.", "output": "", "tip": "x"})
    assert state.status == "processing" and state.audio_urls == ()


def test_links_only_without_status_or_id():
    state = JobState.from_json({"generationTime": 0.24, "links": ["https://pub.example/v.wav"], "proxy_links": []})
    assert state.status == "success" and state.job_id is None


@pytest.mark.parametrize(
    ("body", "message", "retryable"),
    [
        ({"status": "error", "message": "Error message"}, "Error message", False),
        ({"status": "error", "messege": "Rate limit exceeded", "tips": "wait 30 seconds"}, "Rate limit exceeded (wait 30 seconds)", False),
        ({"status": "failed", "id": "", "message": "Failed, Try Again", "output": ""}, "Failed, Try Again", True),
        ({"status": "error", "message": {"prompt": ["The prompt field is required."]}}, "prompt: The prompt field is required.", False),
        ({"status": "error", "message": "Invalid Api Key", "tip": "1. Make sure..."}, "Invalid Api Key (1. Make sure...)", False),
    ],
)
def test_error_shapes(body, message, retryable):
    state = JobState.from_json(body)
    assert state.status == "failed" and state.message == message and state.retryable_failure is retryable


def test_classification_of_error_messages():
    assert JobState.from_json({"status": "error", "message": "Invalid Api Key"}).is_auth_error
    assert JobState.from_json({"status": "error", "messege": "Rate limit exceeded"}).is_rate_limit


@pytest.mark.parametrize("payload", [None, [], "text", 3, {"foo": "bar"}])
def test_unreadable_payloads_raise_protocol_error(payload):
    with pytest.raises(ApiProtocolError):
        JobState.from_json(payload)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
known_keys = st.sampled_from(
    ["status", "id", "eta", "output", "proxy_links", "links", "future_links", "message", "messege", "tip", "tips", "fetch_result", "generationTime"]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, st.dictionaries(known_keys, json_values, max_size=8)))
def test_any_json_gives_a_state_or_a_protocol_error(payload):
    try:
        state = JobState.from_json(payload)
    except ApiProtocolError:
        return
    assert state.status in ("success", "processing", "failed")
    assert all(isinstance(url, str) and url for url in state.audio_urls)
