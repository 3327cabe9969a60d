"""The sample coaching (#sample_coaching, its good/fair/poor badge) speaks only of the sample in the
box: picking an example or a saved voice takes it off the page with the recorder (no finding about
an earlier upload stays beside another voice), going back to a new recording shows the finding for
the sample still in the box, and emptying the box empties it. Offline, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.audio_factory import speech_wav

pytestmark = pytest.mark.browser

BADGE = re.compile(r"Sample check: (good|fair|poor)")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("coaching") / "sample.wav", 9.0)


def pick(page, label_start: str) -> None:
    box = page.locator("#voice_picker input")
    box.click()
    page.locator("#voice_picker").get_by_role("option", name=re.compile("^" + re.escape(label_start))).first.click()
    expect(box).to_have_value(re.compile("^" + re.escape(label_start)))


def no_badge_shown(page) -> None:
    expect(page.locator("#sample_coaching")).to_have_count(0)
    expect(page.get_by_text(BADGE)).to_have_count(0)


def test_coaching_shows_only_for_the_sample_in_the_box(studio, offline_app, sample):
    page = studio.open(offline_app.url).page
    studio.upload(sample)
    coaching = page.locator("#sample_coaching")
    expect(coaching).to_contain_text(BADGE, timeout=60_000)
    finding = coaching.inner_text()

    pick(page, "Nora")  # an example voice
    expect(page.locator("#voice_note")).to_contain_text("example voice", timeout=30_000)
    no_badge_shown(page)

    pick(page, "New recording")  # the sample is still in the box: its own finding comes back
    expect(studio.reference.locator("audio[src]").first).to_be_attached()
    expect(coaching).to_have_text(finding, timeout=30_000)

    page.locator("#voice_name input").fill("Anna")  # save it: the picker moves to the saved voice
    language = page.locator("#sample_language input")
    language.click()
    language.fill("Eng")
    page.get_by_role("option", name="English", exact=True).click()
    page.locator("#save_voice").click()
    expect(page.locator("#voice_picker input")).to_have_value(re.compile("^Anna — my saved voice"), timeout=60_000)
    expect(page.locator("#voice_note")).to_contain_text("saved in this browser", timeout=30_000)
    no_badge_shown(page)

    pick(page, "New recording")
    expect(coaching).to_have_text(finding, timeout=30_000)
    studio.reference.get_by_role("button", name="Clear").click()  # an empty box: nothing to coach
    expect(studio.reference.locator("audio[src]")).to_have_count(0)
    expect(coaching).not_to_contain_text(BADGE, timeout=30_000)
    assert not studio.page_errors
    studio.screenshot("coaching_follows_the_voice")
