"""A shared link: APP_AUTH gates the app, uploads are capped, and no visitor-typed URL is ever fetched."""

from __future__ import annotations

import pytest
import requests
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from components.settings import Settings, parse_auth
from tests.conftest import app_settings, running_app
from tests.fakes.modelslab_emulator import VALID_KEY

USER, PASSWORD = "stakeholder", "demo-pass-9x7"


@pytest.fixture(scope="module")
def gated(emulator_server):
    settings = app_settings(emulator_server, auth=tuple(parse_auth(f"{USER}:{PASSWORD},second:other-pw-1")))
    with running_app(settings) as (client, service):
        yield client, f"http://127.0.0.1:{settings.server_port}"


def test_app_auth_env_is_parsed():
    settings = Settings.from_env({"APP_AUTH": f" {USER}:{PASSWORD} , second:other-pw-1 "})
    assert settings.auth == ((USER, PASSWORD), ("second", "other-pw-1"))
    assert PASSWORD not in repr(settings), "passwords stay out of reprs (and so out of logs)"
    assert Settings.from_env({}).auth == ()
    for bad in ("justuser", ":pw", "user:", "a:b,broken"):
        with pytest.raises(ValueError, match="APP_AUTH must look like"):
            Settings.from_env({"APP_AUTH": bad})


@pytest.mark.parametrize("path", ["/config", "/gradio_api/info", "/gradio_api/call/clone"])
def test_without_login_nothing_is_served(gated, path):
    _, base = gated
    if path.endswith("/clone"):
        response = requests.post(base + path, json={"data": ["hi", None, "jacob"]}, timeout=10)
    else:
        response = requests.get(base + path, timeout=10)
    assert response.status_code in (401, 403), (path, response.status_code)
    assert "clone" not in response.text.lower() or path.endswith("/clone")


def test_the_page_is_a_login_form_without_the_app(gated):
    _, base = gated
    page = requests.get(base + "/", timeout=10).text
    assert "Voice Clone Studio" not in page and PASSWORD not in page


def test_wrong_password_is_refused_and_right_one_works(gated, emulator):
    client, base = gated
    bad = requests.post(base + "/login", data={"username": USER, "password": "wrong"}, timeout=10)
    assert bad.status_code in (400, 401)
    with pytest.raises(Exception):
        Client(base + "/", verbose=False, auth=(USER, "wrong"))
    session = requests.Session()
    good = session.post(base + "/login", data={"username": USER, "password": PASSWORD}, timeout=10)
    assert good.status_code == 200
    assert session.get(base + "/config", timeout=10).status_code == 200
    # the logged-in client (running_app passes the first pair) can generate
    audio, details = client.predict(
        text="Behind the login.", reference=None, voice_id="jacob", api_key="", backend="modelslab",
        api_name="/clone",
    )
    assert "ModelsLab" in details and PASSWORD not in details


def test_oversized_upload_is_refused_by_gradio(emulator_server, tmp_path):
    big = tmp_path / "huge.wav"
    big.write_bytes(b"RIFF" + b"\0" * (2 * 1024 * 1024))
    emulator_server.reset()
    with running_app(app_settings(emulator_server, max_upload_mb=1.0)) as (client, _):
        response = requests.post(
            client.src.rstrip("/") + "/gradio_api/upload", files={"files": ("huge.wav", big.read_bytes())},
            timeout=10,
        )
        assert response.status_code == 413 or "exceeds" in response.text.lower(), response.text[:200]
        with pytest.raises((AppError, ValueError, Exception)):
            client.predict(text="x", reference=handle_file(str(big)), voice_id="", api_key="", api_name="/clone")
    assert not emulator_server.submissions()


def test_a_url_typed_by_a_visitor_is_never_fetched(emulator_server):
    """A visitor can put a URL where a file or a voice id goes; nothing may download it.

    Our code downloads only links the API returned. Gradio itself would download a URL placed in a
    FileData payload, but only through its SSRF guard (safehttpx), which refuses loopback and private
    addresses: this checks both layers hold for a loopback target.
    """
    emulator_server.reset()
    target = f"{emulator_server.base_url}/results/visitor-typed.wav"
    with running_app(app_settings(emulator_server)) as (client, _):
        base = client.src.rstrip("/")
        reference = {"path": target, "url": target, "orig_name": "x.wav", "meta": {"_type": "gradio.FileData"}}
        for data in (
            ["Fetch this", reference, "", "english", "neutral", "modelslab", "", "enterprise", False],
            [target, None, target, "english", "neutral", "modelslab", "", "enterprise", False],
        ):
            posted = requests.post(f"{base}/gradio_api/call/clone", json={"data": data}, timeout=10)
            if posted.status_code == 200:
                event_id = posted.json()["event_id"]
                requests.get(f"{base}/gradio_api/call/clone/{event_id}", timeout=30)
    typed = [r.path for r in emulator_server.requests if "visitor-typed" in r.path]
    assert not typed, typed
    # the voice id (a URL here) went to the API as an opaque id; only the link the API returned was fetched
    returned = {f"/results/{job_id}.wav" for job_id in emulator_server.jobs}
    assert {r.path for r in emulator_server.requests if r.method == "GET"} <= returned
    assert all(r.body.get("key") == VALID_KEY for r in emulator_server.submissions())


def test_a_public_link_in_the_reference_is_refused_before_any_download(emulator_server):
    """Gradio would fetch a public URL given as a file; the reference inputs refuse links outright."""
    emulator_server.reset()
    link = "https://example.invalid/voice.wav"  # .invalid never resolves, so nothing could leave anyway
    with running_app(app_settings(emulator_server)) as (client, _):
        base = client.src.rstrip("/")
        reference = {"path": link, "url": link, "orig_name": "voice.wav", "meta": {"_type": "gradio.FileData"}}
        data = ["Say this", reference, "", "english", "neutral", "modelslab", "", "enterprise", False]
        posted = requests.post(f"{base}/gradio_api/call/clone", json={"data": data}, timeout=10)
        assert posted.status_code == 200
        stream = requests.get(f"{base}/gradio_api/call/clone/{posted.json()['event_id']}", timeout=30).text
    assert "does not download links" in stream
    assert not emulator_server.submissions()


def test_a_server_path_or_a_bare_string_is_never_read(emulator_server, tmp_path):
    """The reference must arrive as an upload. A caller naming a file on the server gets nothing read,
    and one who writes a path as text (a common gradio_client slip) is told how to send the file."""
    emulator_server.reset()
    secret = tmp_path / "server-only.wav"
    secret.write_bytes(b"RIFF-not-for-visitors")
    with running_app(app_settings(emulator_server)) as (client, _):
        base = client.src.rstrip("/")
        with pytest.raises(AppError, match=r"handle_file\('path/to/voice.wav'\)"):
            client.predict(text="x", reference=str(secret), api_name="/clone")
        for reference in ({"path": str(secret), "meta": {"_type": "gradio.FileData"}}, "/etc/passwd"):
            data = ["Say this", reference, "", "english", "neutral", "modelslab", "", "enterprise", False]
            posted = requests.post(f"{base}/gradio_api/call/clone", json={"data": data}, timeout=10)
            stream = requests.get(f"{base}/gradio_api/call/clone/{posted.json()['event_id']}", timeout=30).text
            assert "event: error" in stream and "not audio" not in stream, stream
    assert not emulator_server.submissions()


def test_the_upload_only_inputs_refuse_paths_outside_the_upload_folder(tmp_path):
    """The backstop under Gradio's own check: only files in Gradio's upload folder are read."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import gradio as gr

    from components.ui.widgets import UploadOnlyAudio, UploadOnlyFile

    def move(component, path):
        # Its own thread and event loop: the browser tests leave a loop running in this one.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, component.async_move_resource_to_block_cache(path)).result()

    for component in (UploadOnlyAudio(), UploadOnlyFile()):
        for outside in ("/etc/passwd", str(tmp_path / "x.wav"), "https://example.invalid/a.wav"):
            with pytest.raises(gr.Error):
                move(component, outside)
        component.GRADIO_CACHE = str(tmp_path)
        uploaded = tmp_path / "upload.wav"
        uploaded.write_bytes(b"RIFF")
        assert move(component, str(uploaded)) == str(uploaded)
        with pytest.raises(gr.Error):  # a path that starts inside but resolves outside
            move(component, str(tmp_path / ".." / "elsewhere.wav"))
