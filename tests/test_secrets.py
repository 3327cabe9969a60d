"""The secret scan: a full run of `python app.py` must not emit the API key anywhere.

The app runs as a real subprocess with MODELSLAB_API_KEY set and MODELSLAB_BASE_URL at the loopback
emulator. It is driven through gradio_client and the raw REST API: clones that succeed, an error the
server answers with the key quoted in it, and a visitor's own key (accepted, rejected, echoed back).
Then everything it emitted is scanned for both keys: its stdout and stderr, every HTTP response we
got (page, config, API info and schema, the event streams, the result files) and every file it wrote
under its temp folders, home and working directory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from tests.app_process import stop_app, wait_for_http_200
from tests.audio_factory import speech_wav
from tests.conftest import free_port
from tests.fakes.modelslab_emulator import VALID_KEY

REPO = Path(__file__).resolve().parents[1]
VISITOR_KEY = "visitor-own-key-5b1d0e77c4"
START_TIMEOUT_S = 180.0
PAGES = (
    "/", "/config", "/gradio_api/info", "/gradio_api/info?all_endpoints=true", "/gradio_api/openapi.json",
    "/?view=api", "/manifest.json", "/gradio_api/startup-events", "/theme.css",
)


def leaks(sources: dict[str, bytes]) -> list[str]:
    """Names of the sources that contain either key (never the key itself, so the report is safe)."""
    found = []
    for name, blob in sources.items():
        for label, key in (("server key", VALID_KEY), ("visitor key", VISITOR_KEY)):
            if key.encode() in blob:
                found.append(f"{label} in {name}")
    return found


def rest_call(base: str, data: list) -> bytes:
    """One /clone call over the raw REST API; returns the raw event stream the app sent back."""
    posted = requests.post(f"{base}/gradio_api/call/clone", json={"data": data}, timeout=10)
    event_id = posted.json()["event_id"]
    stream = requests.get(f"{base}/gradio_api/call/clone/{event_id}", timeout=60)
    return posted.content + b"\n" + stream.content


def files_under(root: Path) -> dict[str, bytes]:
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                found[f"file {path.relative_to(root.parent)}"] = path.read_bytes()
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("speech") / "sample.wav", seconds=8.0)


def test_no_key_in_anything_a_full_run_emits(emulator, speech, tmp_path):
    dirs = {name: tmp_path / name for name in ("gradio", "tmp", "home", "cwd")}
    for folder in dirs.values():
        folder.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "MODELSLAB_API_KEY": VALID_KEY,
        "MODELSLAB_BASE_URL": emulator.base_url,
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_TEMP_DIR": str(dirs["gradio"]),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TMPDIR": str(dirs["tmp"]),
        "HOME": str(dirs["home"]),
        "RATE_LIMIT_PER_MINUTE": "0",
        "MODELSLAB_JOB_DEADLINE": "20",
        "PYTHONUNBUFFERED": "1",
    }
    out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    base = f"http://127.0.0.1:{port}"
    responses: dict[str, bytes] = {}
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "app.py")], cwd=dirs["cwd"], env=env, stdout=out, stderr=err,
        )
        try:
            wait_for_http_200(base + "/", proc, timeout_s=START_TIMEOUT_S)
            client = Client(base + "/", verbose=False, download_files=str(tmp_path / "client"))
            call = dict(language="english", emotion="neutral", backend="modelslab", api_name="/clone")

            # 1. successful clones with the server key: a recording, then a stored voice id
            emulator.reset(mode="processing", eta_s=0.5)
            audio, details = client.predict(
                text="A secret-free clip.", reference=handle_file(str(speech)), voice_id="", api_key="", **call
            )
            responses["clone (recording): details"] = details.encode()
            responses["clone (recording): audio"] = Path(audio).read_bytes()
            audio, details = client.predict(text="Stored voice.", reference=None, voice_id="jacob", api_key="", **call)
            responses["clone (voice id): details"] = details.encode()
            assert emulator.submissions()[-1].body["key"] == VALID_KEY

            # 2. the server quotes the key back in its error
            emulator.reset(mode="echo_key")
            with pytest.raises(AppError) as info:
                client.predict(text="Echo.", reference=None, voice_id="jacob", api_key="", **call)
            responses["echoed server key: error"] = str(info.value).encode()
            assert "Queue full for key" in str(info.value)
            responses["echoed server key: REST stream"] = rest_call(
                base, ["Echo.", None, "jacob", "english", "neutral", "modelslab", "", "enterprise", False]
            )

            # 3. a visitor's own key: rejected, echoed, then accepted (and spent instead of the server's)
            emulator.reset()
            with pytest.raises(AppError, match="rejected the API key"):
                client.predict(text="Mine.", reference=None, voice_id="jacob", api_key=VISITOR_KEY, **call)
            emulator.reset(mode="echo_key")
            responses["echoed visitor key: REST stream"] = rest_call(
                base, ["Mine.", None, "jacob", "english", "neutral", "modelslab", VISITOR_KEY, "enterprise", False]
            )
            emulator.reset()
            emulator.valid_keys.add(VISITOR_KEY)
            audio, details = client.predict(text="Mine.", reference=None, voice_id="jacob", api_key=VISITOR_KEY, **call)
            responses["visitor key clone: details"] = details.encode()
            responses["visitor key clone: audio"] = Path(audio).read_bytes()
            assert emulator.submissions()[-1].body["key"] == VISITOR_KEY

            # 4. everything the browser can load
            for page in PAGES:
                responses[f"GET {page}"] = requests.get(base + page, timeout=10).content
            responses["view_api"] = json.dumps(client.view_api(return_format="dict", print_info=False)).encode()
            assert b"clone" in responses["GET /gradio_api/info"]
        finally:
            stop_app(proc, sig=signal.SIGINT)

    emitted = {"stdout": out_path.read_bytes(), "stderr": err_path.read_bytes(), **responses}
    for folder in dirs.values():
        emitted.update(files_under(folder))
    logs = emitted["stdout"] + emitted["stderr"]
    assert b"clone done" in logs, "the app's own log lines were captured"
    assert any(name.startswith("file gradio") for name in emitted), "the scan saw Gradio's upload cache"
    assert any(name.startswith("file gradio") and "voice-clone-studio" in name for name in emitted), (
        "the scan saw the app's output files (kept inside Gradio's cache folder)"
    )
    assert not leaks(emitted), leaks(emitted)
