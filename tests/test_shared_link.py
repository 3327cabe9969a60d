"""A shared link in a running app: the server key's hourly budget, and the AI-generated disclosure in
every file the app hands out (read back from the files a caller receives)."""

from __future__ import annotations

import pytest
import soundfile
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.conftest import app_settings, running_app

VISITOR_KEY = "visitor-own-key-5b1e"


def clone(client: Client, **kwargs) -> tuple[str, str]:
    values = dict(text="Hello from the shared link.", voice_id="jacob", backend="auto")
    values.update(kwargs)
    return client.predict(api_name="/clone", **values)


def comment_of(path: str) -> str:
    with soundfile.SoundFile(path) as clip:
        return clip.comment


@pytest.fixture
def capped_app(emulator):
    emulator.valid_keys.add(VISITOR_KEY)
    with running_app(app_settings(emulator, server_key_max_per_hour=2)) as (client, service):
        yield client, service


def test_the_server_key_budget_holds_and_says_what_to_do(capped_app, emulator):
    client, _ = capped_app
    clone(client)
    clone(client)
    with pytest.raises(AppError) as refused:
        clone(client)
    message = str(refused.value)
    assert "made the 2 generations an hour it may make on the server's ModelsLab key" in message
    assert "There is room again in about 60 minutes" in message and "under Advanced" in message
    assert len(emulator.submissions()) == 2, "the refused call never reached ModelsLab"
    # A visitor's own key is not counted, and is used instead of the server's.
    _, details = clone(client, api_key=VISITOR_KEY)
    assert "ModelsLab" in details and emulator.submissions()[-1].body["key"] == VISITOR_KEY


def test_offline_generations_do_not_count(capped_app):
    client, service = capped_app
    for _ in range(3):
        path, details = clone(client, backend="local", text="Offline costs no credits.")
        assert "**Backend:** offline" in details
    assert service.key_budget.remaining() == 2
    assert "the offline engine" in comment_of(path) and comment_of(path).startswith("AI-generated voice")


def test_work_modelslab_never_took_is_given_back(capped_app, emulator):
    client, service = capped_app
    emulator.reset(mode="unauthorized")
    with pytest.raises(AppError):
        clone(client)
    assert service.key_budget.remaining() == 2
    emulator.reset()
    path, _ = clone(client)
    assert service.key_budget.remaining() == 1
    assert "ModelsLab voice-cloning API" in comment_of(path)


def test_the_page_offers_the_own_key_box_when_the_server_key_is_capped(capped_app):
    client, _ = capped_app
    config = client.config
    box = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "api_key")
    assert box["props"]["visible"] is True and "optional" in box["props"]["label"]


def test_the_api_description_states_the_consent_callers_attest(capped_app):
    import requests

    client, _ = capped_app
    info = requests.get(client.src.rstrip("/") + "/gradio_api/info", timeout=10).json()
    description = info["named_endpoints"]["/clone"]["description"]
    assert "the caller confirms that the person speaking in it agreed to have their voice cloned" in description
    assert "AI-generated voice" in description
