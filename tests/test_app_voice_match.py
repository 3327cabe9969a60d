"""Every clip's details say its voice match, over the API too (gradio_client), on both backends."""

from __future__ import annotations

import re

import pytest
from gradio_client import handle_file

from tests.conftest import app_settings, running_app
from tests.fakes.modelslab_emulator import VALID_KEY
from tests.voice_match import cases

SCORED = re.compile(r"Voice match: (\d+)% — [a-z ]+, an estimate from a speaker encoder")
SAMPLE = cases.VOICES / cases.speakers()[0]["file"]


@pytest.fixture(scope="module")
def offline_app():
    with running_app(app_settings(None)) as (client, service):
        yield client, service


def test_an_offline_clip_is_scored_against_its_sample(offline_app):
    client, service = offline_app
    _, details = client.predict(
        text="Good morning. This is how my voice sounds today.", reference=handle_file(str(SAMPLE)),
        backend="local", api_name="/clone",
    )
    found = SCORED.search(details)
    assert found, details
    assert 20 <= int(found.group(1)) <= 100
    assert "voice match" in details.split("**Timings:**")[1]


def test_a_voice_id_clip_says_no_sample_was_available(offline_app):
    client, _ = offline_app
    _, details = client.predict(text="Just the built-in voice.", voice_id="jacob", api_name="/clone")
    assert "Voice match: not measured — no voice sample was available to compare." in details


def test_a_modelslab_clip_is_scored_too(emulator):
    with running_app(app_settings(emulator)) as (client, _):
        _, details = client.predict(
            text="Hello from the API.", reference=handle_file(str(SAMPLE)), api_key=VALID_KEY,
            backend="modelslab", api_name="/clone",
        )
    # The emulator answers with a steady tone, which sounds like nobody: scored, and low.
    found = SCORED.search(details)
    assert found, details
    assert int(found.group(1)) < 66
