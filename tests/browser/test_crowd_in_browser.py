"""A crowd on one shared link, seen by the person at the back of it, in Chromium.

40 /clone calls are in flight (the emulator holds each job for a while), so the 32 generation slots are
full and 8 calls wait. A person who presses Generate now must see their place in the queue and an
estimate of the wait, not a bare spinner; then get their clip, labelled as an AI-generated voice.
"""

from __future__ import annotations

import re
import time

import pytest
from gradio_client import Client

from tests.browser.conftest import AppUnderTest
from tests.conftest import app_settings, running_app

pytestmark = pytest.mark.browser

IN_FLIGHT = 40
JOB_SECONDS = 15.0
QUEUE_TEXT = re.compile(r"queue: (\d+)/(\d+)")
ESTIMATE = re.compile(r"([\d.]+)/([\d.]+)s")


@pytest.fixture(scope="module")
def crowd_app(emulator_server):
    settings = app_settings(emulator_server)
    with running_app(settings) as (_, service):
        yield AppUnderTest(f"http://127.0.0.1:{settings.server_port}/", service)


def fill_the_slots(url: str, emulator) -> list:
    """40 calls at once through gradio_client; returns their jobs once 32 have reached the API."""
    client = Client(url, verbose=False)
    jobs = [
        client.submit(text=f"Crowd call {i}.", voice_id="jacob", backend="modelslab", api_name="/clone")
        for i in range(IN_FLIGHT)
    ]
    deadline = time.monotonic() + 60
    while len(emulator.submissions()) < 32 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(emulator.submissions()) == 32, "32 generations run at once; the other 8 wait in the queue"
    return jobs


def test_a_queued_person_sees_their_place_and_an_estimate(studio, crowd_app, emulator_server):
    from playwright.sync_api import expect

    emulator_server.reset(mode="processing", eta_s=JOB_SECONDS)
    jobs = fill_the_slots(crowd_app.url, emulator_server)
    studio.open(crowd_app.url)
    studio.page.locator("#voice_id input").fill("jacob")
    studio.type_text("I am at the back of the queue.")
    studio.generate()

    tracker = studio.page.locator("#output_audio").get_by_test_id("status-tracker")
    expect(tracker).to_contain_text(QUEUE_TEXT, timeout=20_000)
    shown = tracker.inner_text()
    place, size = map(int, QUEUE_TEXT.search(shown).groups())
    assert place == size == IN_FLIGHT - 32 + 1, f"9th of 9 waiting: {shown!r}"
    expect(tracker).to_contain_text(ESTIMATE, timeout=5_000)
    elapsed, estimate = map(float, ESTIMATE.search(tracker.inner_text()).groups())
    assert JOB_SECONDS / 2 <= estimate <= 120, f"an estimate of the wait, in seconds: {shown!r}"
    studio.screenshot("crowd-queue-position")

    details = studio.wait_for_result(timeout_s=120)
    assert "**Backend:**" not in details and "Backend: ModelsLab" in details
    label = studio.page.locator("#output_audio").get_by_text("AI-generated voice", exact=False).first
    expect(label).to_be_visible()
    assert not studio.page_errors
    for job in jobs:
        assert job.result(timeout=120)[0].endswith(".wav")
    studio.screenshot("crowd-after-the-queue")
    emulator_server.reset()
