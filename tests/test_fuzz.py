"""Hostile input: arbitrary API responses, arbitrary result bytes, arbitrary reference files, hostile names.

The rule under test: whatever arrives, the app raises only its own error types (VoiceCloneError and
its subclasses, which carry a sentence for the person) and never echoes a key. The API side is fuzzed
through the client's real HTTP path (requests.Session -> adapter -> response -> parsing) with a
transport adapter that serves the generated response, so thousands of examples need no sockets.
"""

from __future__ import annotations

import io
import json
import struct
import tempfile
from pathlib import Path

import pytest
import requests
from gradio_client import handle_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from components.errors import AudioInputError, DownloadError, VoiceCloneError
from components.modelslab.client import ModelsLabClient, SubmitRequest
from components.modelslab.download import check_decodes
from components.modelslab.types import JobState
from components.reference.pipeline import prepare
from tests.audio_factory import speech_wav, transcode
from tests.conftest import app_settings, running_app

KEY = "fuzz-secret-key-31c9e2"
BASE = "https://api.fuzz.example"

# -- strategies -----------------------------------------------------------------------------------
tricky_urls = st.sampled_from([
    "http://[", "https://[::1", "https://", "http://:80/x", "https://a:99999/x.wav", "https://exa mple/x.wav",
    "ftp://files.example/x.wav", "file:///etc/passwd", "javascript:alert(1)", "//cdn.example/x.wav",
    "https://cdn.example/x.wav", "https://cdn.example/%zz.wav", "https://\u0000/x", "https://xn--/x",
    f"{BASE}/api/v1/enterprise/voice/fetch/1", "http://api.fuzz.example/fetch/1", "",
])
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20) | tricky_urls | st.sampled_from([KEY, f"Invalid Api Key {KEY}", "Failed, Try Again"])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=16,
)
known_keys = st.sampled_from([
    "status", "id", "eta", "output", "proxy_links", "links", "future_links", "message", "messege", "tip",
    "tips", "fetch_result", "generationTime", "meta",
])
statuses = st.sampled_from(["success", "processing", "error", "failed", "SUCCESS", "queued", "", "weird"])
shaped = st.fixed_dictionaries(
    {"status": statuses},
    optional={
        "id": json_values, "eta": json_values, "output": st.lists(tricky_urls, max_size=3) | json_values,
        "future_links": st.lists(tricky_urls, max_size=3), "fetch_result": tricky_urls | json_values,
        "message": json_values, "messege": json_values, "tip": json_values,
    },
)
payloads = st.one_of(json_values, st.dictionaries(known_keys, json_values, max_size=8), shaped)


@st.composite
def bodies(draw) -> bytes:
    kind = draw(st.sampled_from(["json", "json", "truncated", "binary", "html"]))
    if kind == "binary":
        return draw(st.binary(max_size=300))
    if kind == "html":
        return b"<!DOCTYPE html><html><body>" + draw(st.text(max_size=40)).encode() + b"</body></html>"
    text = json.dumps(draw(payloads), allow_nan=True).encode()
    return text[: draw(st.integers(0, len(text)))] if kind == "truncated" else text


http_codes = st.sampled_from([200, 200, 200, 201, 204, 301, 400, 401, 402, 403, 404, 408, 418, 422, 429, 500, 502, 503, 504])
content_types = st.sampled_from(["application/json", "text/html; charset=utf-8", "", "audio/wav", "text/plain"])
audio_magic = st.sampled_from([b"", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"ID3\x03\x00", b"OggS\x00", b"fLaC", b"\xff\xfb\x90",
                               b"\x00\x00\x00\x18ftypM4A ", b"\xff\xf1", b"<html>"])


class CannedAdapter(HTTPAdapter):
    """Answers POSTs with the generated API response and GETs with the generated result bytes."""

    def __init__(self):
        super().__init__(max_retries=0)
        self.api = (200, b"{}", "application/json")
        self.result = (200, b"", "audio/wav")

    def send(self, request, **kwargs):
        code, body, content_type = self.api if request.method == "POST" else self.result
        response = requests.Response()
        response.status_code = code
        response._content = body
        response._content_consumed = True
        response.raw = io.BytesIO(body)
        response.headers = CaseInsensitiveDict({"Content-Type": content_type, "Content-Length": str(len(body))})
        response.url, response.request, response.encoding = request.url, request, None
        return response


def fuzz_client(adapter: CannedAdapter) -> ModelsLabClient:
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += max(seconds, 0.0)

    return ModelsLabClient(
        base_url=BASE, job_deadline_s=5.0, max_download_bytes=4096, submit_session=session,
        poll_session=session, sleep=sleep, clock=lambda: now[0],
    )


# -- the response parser --------------------------------------------------------------------------
@settings(max_examples=400, deadline=None)
@given(st.one_of(payloads, st.binary().map(lambda b: b.decode("latin-1"))))
def test_parser_on_arbitrary_json_raises_only_protocol_errors(payload):
    try:
        state = JobState.from_json(payload)
    except VoiceCloneError:
        return
    assert state.status in ("success", "processing", "failed")
    assert isinstance(state.message, str) and all(isinstance(u, str) and u for u in state.audio_urls)
    assert state.eta_s is None or 0 <= state.eta_s < float("inf")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(http_codes, bodies(), content_types, http_codes, bodies(), audio_magic, st.binary(max_size=600))
def test_client_http_path_raises_only_app_errors(
    submit_code, submit_body, content_type, fetch_code, fetch_body, magic, result
):
    """submit -> wait_for_result -> download, each over an arbitrary HTTP answer."""
    adapter = CannedAdapter()
    client = fuzz_client(adapter)
    adapter.api = (submit_code, submit_body, content_type)
    adapter.result = (200, magic + result, "audio/wav")
    with tempfile.TemporaryDirectory() as folder:
        try:
            state = client.submit(SubmitRequest(prompt="hi", voice_id="jacob"), KEY)
            assert state.status in ("success", "processing")
            if state.status != "success":
                adapter.api = (fetch_code, fetch_body, content_type)
                state = client.wait_for_result(state, KEY)
            assert state.status == "success"
            check_decodes(client.download(state, Path(folder) / "result.wav"))
        except VoiceCloneError as err:
            assert isinstance(err.user_message, str) and err.user_message
            assert KEY not in err.user_message


@settings(max_examples=150, deadline=None)
@given(audio_magic, st.binary(max_size=3000), st.sampled_from([200, 200, 206, 403, 404, 410, 500]))
def test_download_of_arbitrary_bytes_keeps_only_decodable_audio(tmp_path_factory, magic, data, code):
    adapter = CannedAdapter()
    client = fuzz_client(adapter)
    adapter.result = (code, magic + data, "audio/wav")
    dest = tmp_path_factory.mktemp("dl") / "result.wav"
    state = JobState(status="success", job_id="7", audio_urls=(f"{BASE}/r/7.wav", "http://[", "https://cdn.example/r.wav"))
    try:
        path = client.download(state, dest)
    except DownloadError as err:
        assert "7" in err.user_message
        assert not dest.exists() and not list(dest.parent.glob("*.part"))
        return
    check_decodes(path)  # whatever was kept plays


def test_undecodable_wav_is_refused(tmp_path):
    from tests.fakes.modelslab_emulator import make_wav, undecodable_wav

    bad, good = tmp_path / "bad.wav", tmp_path / "good.wav"
    bad.write_bytes(undecodable_wav())
    good.write_bytes(make_wav(0.5, 300, "1"))
    with pytest.raises(DownloadError, match="could not be decoded"):
        check_decodes(bad)
    check_decodes(good)
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(make_wav(0.5, 300)[:44])  # a header that promises frames it does not have
    with pytest.raises(DownloadError):
        check_decodes(truncated)


# -- the reference loader -------------------------------------------------------------------------
SUFFIXES = [".wav", ".WAV", ".mp3", ".m4a", ".ogg", ".opus", ".webm", ".flac", ".mp4", ".aiff", ".txt", ".png", ""]
REFERENCE_MAGIC = [b"", b"RIFF\xff\xff\xff\xffWAVE", b"ID3\x04\x00\x00", b"OggS\x00\x02", b"fLaC\x00\x00\x00\x22",
                   b"\x1a\x45\xdf\xa3", b"\x00\x00\x00\x20ftypisom", b"\x89PNG\r\n\x1a\n", b"%PDF-1.7", b"\xff\xfb"]


def wav_header(frames: int, rate: int, channels: int, bits: int) -> bytes:
    block = channels * max(bits // 8, 1)
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    return (b"RIFF" + struct.pack("<I", (36 + frames * block) & 0xFFFFFFFF) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", (frames * block) & 0xFFFFFFFF))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SUFFIXES),
    st.sampled_from(REFERENCE_MAGIC) | st.builds(
        wav_header, st.integers(0, 2**31), st.integers(0, 400_000), st.integers(0, 8), st.sampled_from([0, 8, 16, 24, 32, 64]),
    ),
    st.binary(max_size=4000),
)
def test_reference_loader_on_arbitrary_bytes_raises_only_audio_input_errors(tmp_path_factory, suffix, head, data):
    path = tmp_path_factory.mktemp("ref") / f"upload{suffix}"
    path.write_bytes(head + data)
    try:
        prepared = prepare(path)
    except AudioInputError as err:
        assert err.user_message and "Traceback" not in err.user_message
        return
    assert 4.0 <= prepared.duration_s <= 30.0  # a lucky valid file is fine, but must meet the rules


# -- hostile file names through /clone -------------------------------------------------------------
HOSTILE_NAMES = [
    "my voice sample.wav",
    "voix d'été — 日本語 🎙.wav",
    "$(touch pwned) `touch pwned2`; echo x | cat > y & z.wav",
    "-i evil.mp3",
    "--help.webm",
    'quote"s and \\backslash.ogg',
    "name.with.many..dots.m4a",
    "%2e%2e%2fescape.flac",
]


@pytest.fixture(scope="module")
def hostile_app(emulator_server):
    with running_app(app_settings(emulator_server)) as (client, service):
        yield client, service


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_names_work(hostile_app, emulator, tmp_path, tmp_path_factory, name, monkeypatch):
    client, service = hostile_app
    monkeypatch.chdir(tmp_path)
    source = speech_wav(tmp_path_factory.mktemp("src") / "speech.wav", seconds=7.0)
    named = tmp_path / name
    if name.endswith(".wav"):
        named.write_bytes(source.read_bytes())
    else:
        transcode(source, named)
    audio, details = client.predict(
        text="Names are just names.", reference=handle_file(str(named)), voice_id="", language="english",
        emotion="neutral", backend="modelslab", api_key="", api_name="/clone",
    )
    assert open(audio, "rb").read(4) == b"RIFF" and "ModelsLab" in details
    assert emulator.submissions()[-1].body["init_audio"].startswith("data:audio/wav;base64,")
    for where in (tmp_path, Path.cwd(), service.outputs.root):
        assert not list(where.glob("pwned*")) and not (where / "y").exists(), "no shell ever ran"
