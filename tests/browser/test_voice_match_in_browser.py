"""Voice match in Chromium: sample coaching beside the sample, and the match bar under the player.

The samples are built from real speech (shared/voices): two readers joined, one reader with white
noise 5 dB under the voice, and the same reader clean.
"""

from __future__ import annotations

import re

import pytest
import soundfile as sf

from tests.voice_match import cases

pytestmark = pytest.mark.browser

COACHING_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coaching")
    first, second = [entry for entry in cases.speakers() if entry["sex"] == "F"][:2]
    clean = cases.load(first["file"])
    built = {
        "clean": clean,
        "two speakers": cases.joined(clean, cases.load(second["file"])),
        "noisy": cases.with_noise(clean, 5.0),
    }
    paths = {}
    for name, audio in built.items():
        paths[name] = folder / f"{name.replace(' ', '-')}.wav"
        sf.write(paths[name], audio, cases.RATE)
    return paths


def coaching_of(studio, path) -> str:
    from playwright.sync_api import expect

    studio.upload(path)
    coaching = studio.page.locator("#sample_coaching")
    expect(coaching).to_contain_text("Sample check:", timeout=COACHING_TIMEOUT_MS)
    return coaching.inner_text()


@pytest.mark.parametrize(
    ("name", "badge", "advice"),
    [
        ("two speakers", "poor", "More than one voice seems to be in this sample"),
        ("noisy", "poor", "There is background noise under the voice"),
        ("clean", "good", None),
    ],
)
def test_each_sample_gets_the_right_coaching(studio, offline_app, samples, name, badge, advice):
    studio.open(offline_app.url)
    text = coaching_of(studio, samples[name])
    assert f"Sample check: {badge}" in text, text
    if advice:
        assert advice in text
    else:
        assert "background noise" not in text and "More than one voice" not in text
    studio.screenshot(f"coaching-{name.replace(' ', '-')}")


def test_a_clip_shows_its_voice_match_bar_and_line(studio, offline_app, samples):
    from playwright.sync_api import expect

    studio.open(offline_app.url)
    bar = studio.page.locator("#voice_match")
    expect(bar).to_be_hidden()
    studio.upload(samples["clean"])
    studio.type_text("Good morning. This is how my voice sounds today.")
    studio.generate()
    details = studio.wait_for_result(timeout_s=120)
    found = re.search(r"Voice match: (\d+)%", details)
    assert found, details
    picture = bar.locator("svg[role=img]")
    expect(picture).to_be_visible(timeout=10_000)
    assert f"Voice match {found.group(1)}%" in picture.get_attribute("aria-label")
    expect(bar).to_contain_text("same person")
    studio.screenshot("voice-match-bar")
