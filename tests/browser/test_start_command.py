"""`python app.py` as the README starts it (a subprocess is the point): no key, offline default.

The page it serves is used for real in Chromium (upload, Generate, listen), and its final state is
saved as artifacts/browser/app_py_offline.png (after two takes, so the list of takes shows). With
UPDATE_README_SCREENSHOT=1 that screenshot also replaces docs/screenshot.png, the one the README shows
(and tests/browser/test_page_features.py's phone test replaces docs/screenshot-phone.png).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.app_process import stop_app, wait_for_http_200
from tests.audio_factory import speech_wav, transcode
from tests.browser.conftest import REPO
from tests.conftest import free_port

pytestmark = pytest.mark.browser

START_TIMEOUT_S = 120.0
ENGLISH_TEXT = (
    "Hello! This is my voice, made on this computer. It works without an internet connection."
)
SCRUBBED_ENV = (
    "MODELSLAB_API_KEY",
    "MODELSLAB_BASE_URL",
    "VOICE_BACKEND",
    "APP_AUTH",
    "GRADIO_SERVER_NAME",
)


@pytest.fixture
def app_py(tmp_path):
    """Start `python app.py` on a free port, clean environment (no key): the README's default."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name not in SCRUBBED_ENV}
    env.update(
        GRADIO_SERVER_PORT=str(port),
        GRADIO_TEMP_DIR=str(tmp_path / "gradio"),
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "app.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http_200(url, process, timeout_s=START_TIMEOUT_S)
        yield url
    except BaseException:
        print(log_path.read_text(errors="replace")[-4000:])
        raise
    finally:
        stop_app(process, grace_s=15)
    log_text = log_path.read_text(errors="replace")
    assert "Traceback" not in log_text, log_text[-4000:]


PHONE = {"width": 390, "height": 844}


def test_python_app_py_works_offline_in_the_browser(studio, app_py, tmp_path, browser):
    studio.open(app_py)
    banner = studio.page.locator("#backend_banner").inner_text()
    assert "offline" in banner.lower(), banner
    # A higher voice than the built-in one (pitch and formants up ~30%, a 44.1 kHz stereo MP3, as a
    # phone might record), so the voice matching has something to do, and the screenshot shows it.
    higher = transcode(speech_wav(tmp_path / "base.wav", 13.0), tmp_path / "my sample.mp3",
                       "-af", "asetrate=22050*1.3,aresample=44100,atempo=0.77", "-ac", "2")
    report = studio.upload(higher)
    assert re.search(r"\d+(\.\d+)? s of speech", report), report
    assert not re.search(r"can.t use|⚠", report, re.IGNORECASE), report
    studio.type_text(ENGLISH_TEXT)
    studio.choose_language("English")
    studio.choose_emotion("happy")
    # The page says when the offline voice is still loading in the background; wait for it, as a
    # person reading the page would, so the timings in the details are those of a warm engine.
    studio.page.wait_for_timeout(1000)  # the page asks for the status as soon as it has loaded
    studio.page.locator("#engine_status").filter(has_text="loading").wait_for(state="detached", timeout=120_000)
    studio.generate()
    details = studio.wait_for_result(timeout_s=120)
    assert re.search(r"pitch moved from \d+ Hz to \d+ Hz", details), details

    duration = studio.output_duration()
    assert 2.0 <= duration <= 40.0, duration
    playback = studio.play_output()
    assert playback["error"] is None and playback["reached"] > 0.1, playback
    assert "offline" in details.lower()
    # A second take, so the picture shows the list of takes to compare.
    studio.type_text("And a second take, a little calmer, to compare with the first one.")
    studio.choose_emotion("neutral")
    studio.generate()
    takes = studio.page.locator("#history .vcs-take")
    takes.nth(1).wait_for(timeout=120_000)
    assert "neutral" in takes.nth(0).inner_text() and "happy" in takes.nth(1).inner_text()
    assert not studio.page_errors
    shot = studio.screenshot("app_py_offline")
    phone_shot = open_shared_take_on_a_phone(studio, browser)
    if os.environ.get("UPDATE_README_SCREENSHOT") == "1":
        (REPO / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, REPO / "docs" / "screenshot.png")
        shutil.copyfile(phone_shot, REPO / "docs" / "screenshot-phone.png")


def open_shared_take_on_a_phone(studio, browser):
    """Share the take on show and open the link on a phone, as a stakeholder would; one screenful."""
    studio.page.locator("#share_result").click()
    link_box = studio.page.locator("#share_link textarea")
    link_box.wait_for(timeout=30_000)
    studio.page.wait_for_function("el => el.value.includes('deep_link=')", arg=link_box.element_handle())
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="en-US",
        color_scheme="light",
    )
    try:
        page = phone.new_page()
        page.goto(link_box.input_value())
        page.locator("#output_audio audio[src]").first.wait_for(state="attached", timeout=30_000)
        assert page.locator("#text textarea").input_value().startswith("And a second take")
        page.locator("#text").evaluate("el => el.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)  # let the waveform draw
        path = studio.artifacts / "app_py_shared_on_a_phone.png"
        page.screenshot(path=str(path))
        return path
    finally:
        phone.close()
