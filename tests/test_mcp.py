"""Agents can use it: a real MCP client (the `mcp` SDK, streamable HTTP) against `python app.py` running
as a process with no server key, the loopback ModelsLab emulator behind it.

The client lists the tools, clones with a stored voice and with a sample it uploaded (and one sent
inline as a data URI), downloads each result and decodes it. Its own ModelsLab key travels only in the
X-ModelsLab-Key header, and is then looked for in everything the app printed and wrote.
"""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import soundfile

from tests.app_process import stop_app, wait_for_http_200
from tests.async_runner import run_in_own_loop
from tests.audio_factory import speech_wav
from tests.conftest import app_settings, free_port, running_app

REPO = Path(__file__).resolve().parents[1]
AGENT_KEY = "agent-own-key-3f9d27c1e0"
START_TIMEOUT_S = 180.0


class McpApp:
    """`python app.py` as a process, and an MCP client session per call (what an agent host does)."""

    def __init__(self, base: str, out_path: Path, err_path: Path, dirs: list[Path]):
        self.base = base
        self.out_path, self.err_path, self.dirs = out_path, err_path, dirs

    @property
    def mcp_url(self) -> str:
        return f"{self.base}/gradio_api/mcp/"

    def session_do(self, action, headers: dict | None = None):
        """Open an MCP session over streamable HTTP, run `action(session)`, return its result."""
        from mcp import ClientSession
        from mcp.client.streamable_http import streamablehttp_client

        async def run():
            async with streamablehttp_client(self.mcp_url, headers=headers, timeout=60) as (read, write, _):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    return await action(session)

        return run_in_own_loop(run())

    def call(self, tool: str, arguments: dict, key: str | None = AGENT_KEY, progress: list | None = None):
        """Call a tool; with `progress`, ask for progress notifications and collect their messages."""
        headers = {"X-ModelsLab-Key": key} if key else None

        async def collect(done, total, message):
            progress.append(message)

        callback = collect if progress is not None else None
        return self.session_do(lambda s: s.call_tool(tool, arguments, progress_callback=callback), headers)

    def upload(self, path: Path) -> str:
        """What an agent host's upload step does: POST the file, get back a link to it on this app."""
        with open(path, "rb") as handle:
            answer = requests.post(f"{self.base}/gradio_api/upload", files={"files": handle}, timeout=30)
        answer.raise_for_status()
        return f"{self.base}/gradio_api/file={answer.json()[0]}"


@pytest.fixture(scope="module")
def mcp_app(emulator_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("mcp-app")
    dirs = [root / name for name in ("gradio", "tmp", "home", "cwd")]
    for folder in dirs:
        folder.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "MODELSLAB_BASE_URL": emulator_server.base_url,
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_TEMP_DIR": str(dirs[0]),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TMPDIR": str(dirs[1]),
        "HOME": str(dirs[2]),
        "RATE_LIMIT_PER_MINUTE": "0",
        "MODELSLAB_JOB_DEADLINE": "20",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("MODELSLAB_API_KEY", None)  # no server key: the agent brings its own
    out_path, err_path = root / "stdout.txt", root / "stderr.txt"
    base = f"http://127.0.0.1:{port}"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, str(REPO / "app.py")], cwd=dirs[3], env=env, stdout=out, stderr=err)
        try:
            wait_for_http_200(base + "/", proc, timeout_s=START_TIMEOUT_S, log=err_path)
            yield McpApp(base, out_path, err_path, dirs)
        finally:
            stop_app(proc, sig=signal.SIGINT)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return speech_wav(tmp_path_factory.mktemp("mcp-sample") / "my voice.wav", seconds=8.0)


def ready(emulator, **scenario) -> None:
    """A fresh emulator scenario that accepts the agent's own key."""
    emulator.reset(**scenario)
    emulator.valid_keys.add(AGENT_KEY)


def result_of(answer) -> tuple[bytes, str]:
    """(the downloaded clip, the details text) from a clone tool result."""
    assert not answer.isError, answer.content[0].text
    url, details = (part.text for part in answer.content)
    assert url.startswith("http://127.0.0.1:") and "/gradio_api/file=" in url
    download = requests.get(url, timeout=30)
    download.raise_for_status()
    return download.content, details


def decoded_seconds_and_comment(clip: bytes) -> tuple[float, str]:
    with soundfile.SoundFile(io.BytesIO(clip)) as audio:
        return audio.frames / audio.samplerate, audio.comment


def test_the_tools_an_agent_sees(mcp_app):
    tools = {tool.name: tool for tool in mcp_app.session_do(lambda s: s.list_tools()).tools}
    assert {"clone", "voices", "save_voice"} <= set(tools)
    assert "voice_id" in tools["voices"].description and "example" in tools["voices"].description
    assert "consent" in tools["save_voice"].inputSchema["properties"]
    clone = tools["clone"]
    assert "confirms that the person speaking in it agreed to have their voice cloned" in clone.description
    assert "AI-generated voice" in clone.description
    properties = clone.inputSchema["properties"]
    assert clone.inputSchema["required"] == ["text"]
    assert {"text", "reference", "voice_id", "language", "emotion", "backend", "api_key"} <= set(properties)
    assert "x_modelslab_key" not in properties, "the header is injected by Gradio, not a tool argument"
    assert "/gradio_api/upload" in properties["reference"]["description"]
    assert "X-ModelsLab-Key" in properties["api_key"]["description"]
    # The docstring the agent reads stays true to the app's own tables.
    from components.settings import EMOTIONS, LANGUAGES

    assert all(name in properties["language"]["description"] for name in LANGUAGES)
    assert all(name in properties["emotion"]["description"] for name in EMOTIONS)


def test_list_the_voices_then_clone_an_example_voice(mcp_app, emulator_server):
    ready(emulator_server)
    listed = mcp_app.call("voices", {})
    assert not listed.isError, listed.content[0].text
    voices = json.loads(listed.content[0].text)
    example = next(voice for voice in voices if voice["source"] == "example")
    assert set(example) == {"id", "name", "language", "source"}
    assert any(voice["source"] == "modelslab" for voice in voices), "the agent's key lists its account too"
    clip, details = result_of(mcp_app.call("clone", {"text": "An example voice.", "voice_id": example["id"]}))
    seconds, comment = decoded_seconds_and_comment(clip)
    assert seconds > 0.5 and comment.startswith("AI-generated voice")
    body = emulator_server.submissions()[-1].body
    # An example voice is resolved on the server: its recording goes to ModelsLab, not the id.
    assert body["init_audio"].startswith("data:audio/wav;base64,") and body["key"] == AGENT_KEY
    assert example["name"] in details


def test_clone_a_stored_voice_with_the_key_in_a_header(mcp_app, emulator_server):
    ready(emulator_server, mode="processing", eta_s=0.5)
    clip, details = result_of(mcp_app.call("clone", {"text": "Hello from an agent.", "voice_id": "jacob"}))
    seconds, comment = decoded_seconds_and_comment(clip)
    assert seconds > 0.5 and comment.startswith("AI-generated voice") and "ModelsLab" in comment
    body = emulator_server.submissions()[-1].body
    assert body["key"] == AGENT_KEY and body["voice_id"] == "jacob" and "init_audio" not in body
    assert "**Backend:** ModelsLab" in details


def test_clone_an_uploaded_sample(mcp_app, emulator_server, sample):
    ready(emulator_server, mode="processing", eta_s=1.5)
    link = mcp_app.upload(sample)
    progress: list[str] = []
    arguments = {"text": "My own voice.", "reference": link, "language": "english"}
    clip, details = result_of(mcp_app.call("clone", arguments, progress=progress))
    assert any("Processing" in (message or "") for message in progress), progress
    assert decoded_seconds_and_comment(clip)[0] > 0.5
    body = emulator_server.submissions()[-1].body
    assert body["init_audio"].startswith("data:audio/wav;base64,") and body["key"] == AGENT_KEY
    assert "**Reference:**" in details and "s of speech" in details


def test_clone_a_sample_sent_inline(mcp_app, emulator_server, sample):
    ready(emulator_server)
    inline = "data:audio/wav;base64," + base64.b64encode(sample.read_bytes()).decode()
    clip, _ = result_of(mcp_app.call("clone", {"text": "Inline sample.", "reference": inline}))
    assert decoded_seconds_and_comment(clip)[0] > 0.5
    assert emulator_server.submissions()[-1].body["init_audio"].startswith("data:audio/wav;base64,")


def test_a_link_to_another_site_is_refused_not_fetched(mcp_app, emulator_server):
    ready(emulator_server)
    answer = mcp_app.call("clone", {"text": "Nope.", "reference": "http://127.0.0.1:9/voice.wav"})
    assert answer.isError and "does not download links" in answer.content[0].text
    assert not emulator_server.submissions()


def test_without_a_key_the_agent_is_told_how_to_send_one(mcp_app, emulator_server):
    ready(emulator_server)
    answer = mcp_app.call("clone", {"text": "No key.", "voice_id": "jacob", "backend": "modelslab"}, key=None)
    assert answer.isError and "needs an API key" in answer.content[0].text


def test_the_agents_key_is_never_printed_or_written(mcp_app):
    # Runs after the calls above (pytest keeps file order): everything they made the app emit.
    emitted = {"stdout": mcp_app.out_path.read_bytes(), "stderr": mcp_app.err_path.read_bytes()}
    for folder in mcp_app.dirs:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                emitted[str(path)] = path.read_bytes()
    assert b"MCP" in emitted["stdout"] + emitted["stderr"], "the app's output was captured"
    assert [name for name, blob in emitted.items() if AGENT_KEY.encode() in blob] == []


def test_mcp_server_0_turns_it_off(emulator):
    settings = app_settings(emulator, mcp_server=False)
    with running_app(settings):
        answer = requests.post(f"http://127.0.0.1:{settings.server_port}/gradio_api/mcp/", json={}, timeout=10)
        assert answer.status_code == 404
