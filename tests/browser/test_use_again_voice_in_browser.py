"""'Use these settings again' puts back the voice the take used, in Chromium against the emulator: a
take made from a ModelsLab voice id clears a sample left in the box (a sample would win over the id)
and returns the picker to a new recording; a take made from a sample puts that sample back.
What the next Generate sends to ModelsLab is the proof."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.audio_factory import speech_wav

pytestmark = pytest.mark.browser

USE_AGAIN = "Use these settings again"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("use-again") / "sample.wav", 9.0)


def takes(studio):
    return studio.page.locator("#history .vcs-take")


def make_take(studio, text: str, count: int) -> None:
    studio.type_text(text)
    studio.generate()
    expect(takes(studio)).to_have_count(count, timeout=120_000)


def pick(page, label_start: str) -> None:
    box = page.locator("#voice_picker input")
    box.click()
    page.locator("#voice_picker").get_by_role("option", name=re.compile("^" + re.escape(label_start))).first.click()
    expect(box).to_have_value(re.compile("^" + re.escape(label_start)))


def use_again(studio, index: int) -> None:
    takes(studio).nth(index).get_by_role("button", name=USE_AGAIN).click()
    expect(studio.page.get_by_test_id("toast-text").first).to_be_visible(timeout=30_000)


def test_use_again_puts_back_the_voice_the_take_used(studio, modelslab_app, emulator, sample):
    page = studio.open(modelslab_app.url).page
    voice_id_box = page.locator("#voice_id input")
    voice_id_box.fill("jacob")
    make_take(studio, "First take, from the voice id jacob.", 1)
    assert emulator.submissions()[-1].body["voice_id"] == "jacob"
    assert "init_audio" not in emulator.submissions()[-1].body

    studio.upload(sample)
    make_take(studio, "Second take, from my own sample.", 2)
    assert emulator.submissions()[-1].body["init_audio"].startswith("data:audio/")
    pick(page, "Nora")  # an example voice on top: it would win over both

    use_again(studio, 1)  # the first take (newest first): the voice id
    expect(page.locator("#voice_picker input")).to_have_value(re.compile("^New recording"))
    expect(voice_id_box).to_have_value("jacob")
    expect(studio.reference.locator("audio[src]")).to_have_count(0)
    expect(studio.text).to_have_value("First take, from the voice id jacob.")
    studio.generate()
    expect(takes(studio)).to_have_count(3, timeout=120_000)
    body = emulator.submissions()[-1].body
    assert body["voice_id"] == "jacob" and "init_audio" not in body, sorted(body)
    assert takes(studio).first.locator(".vcs-take-meta").inner_text().count("jacob") >= 1

    use_again(studio, 1)  # now the sample take: its sample comes back
    expect(studio.reference.locator("audio[src]").first).to_be_attached(timeout=20_000)
    expect(page.locator("#voice_picker input")).to_have_value(re.compile("^New recording"))
    studio.tick_consent()
    studio.generate()
    expect(takes(studio)).to_have_count(4, timeout=120_000)
    assert emulator.submissions()[-1].body["init_audio"].startswith("data:audio/")
    assert not studio.page_errors
    studio.screenshot("use_again_voice_id_and_sample")
