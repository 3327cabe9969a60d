"""Gradio's own session-saving deep-link route is closed, and the page's own take links still open.

Before: after a /clone call with the visitor's key, `GET /gradio_api/deep_link?session_hash=<theirs>`
wrote that session (the key included) into the server's upload folder, and `/?deep_link=<id>` served
it to any browser. Checked over HTTP against the running app.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
from gradio.utils import get_upload_folder

from components.ui.history.share import write_deep_link
from components.ui.history.takes import Take
from components.ui.session_links import saves_a_session
from tests.conftest import app_settings, running_app

VISITOR_KEY = "visitor-own-key-deeplink-7c2d"


@pytest.fixture
def keyless_app(emulator):
    emulator.valid_keys.add(VISITOR_KEY)
    with running_app(app_settings(emulator, api_key="")) as (client, service):
        yield client, service


def saved_sessions_with(secret: str) -> list[Path]:
    """Every saved deep-link copy in the upload folder that holds `secret`."""
    folder = Path(get_upload_folder()) / "deep_links"
    return [path for path in folder.glob("*/state.json") if secret in path.read_text(errors="replace")]


def test_gradio_cannot_save_a_session_with_the_visitors_key(keyless_app, emulator):
    client, _ = keyless_app
    _, details = client.predict(api_name="/clone", text="My own key pays.", voice_id="jacob", api_key=VISITOR_KEY)
    assert "ModelsLab" in details and emulator.submissions()[-1].body["key"] == VISITOR_KEY
    base = client.src.rstrip("/")
    for path in ("/gradio_api/deep_link", "/gradio_api/deep_link/"):
        answer = requests.get(base + path, params={"session_hash": client.session_hash}, timeout=10)
        assert answer.status_code == 404, (path, answer.status_code, answer.text)
        assert VISITOR_KEY not in answer.text
    assert saved_sessions_with(VISITOR_KEY) == []
    assert saved_sessions_with(client.session_hash) == []


def test_the_pages_own_take_link_still_opens(keyless_app):
    client, service = keyless_app
    folder = service.outputs.root / uuid.uuid4().hex
    folder.mkdir()
    (folder / "take.wav").write_bytes(b"RIFF")
    take = Take.new(str(folder / "take.wav"), text="A take worth sharing.", language="german", emotion="happy",
                    voice_kind="id", voice_id="jacob", details="**Backend:** offline")
    link = write_deep_link(client.config["components"], take, Path(get_upload_folder()))
    config = requests.get(client.src.rstrip("/") + "/config", params={"deep_link": link}, timeout=10).json()
    assert config["deep_link_state"] == "valid"
    values = {c["props"].get("elem_id"): c["props"].get("value") for c in config["components"] if "props" in c}
    assert values["text"] == "A take worth sharing." and values["voice_id"] == "jacob"
    assert values["language"] == "german" and values["api_key"] == ""


def test_the_page_has_no_gradio_share_button(keyless_app):
    client, _ = keyless_app
    kinds = {c.get("type") for c in client.config["components"]}
    ids = [str(c.get("props", {}).get("elem_id")) for c in client.config["components"]]
    assert "deeplinkbutton" not in kinds
    assert not [elem_id for elem_id in ids if elem_id.startswith("gradio-share-link-button")]


def test_only_the_session_saving_route_is_refused():
    assert saves_a_session("/gradio_api/deep_link") and saves_a_session("/studio/gradio_api/deep_link/")
    for path in ("/", "/config", "/gradio_api/info", "/gradio_api/deep_links", "/gradio_api/file=deep_link.wav"):
        assert not saves_a_session(path), path
