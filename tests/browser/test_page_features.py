"""The page a stakeholder remembers, used in Chromium as a person would: the list of takes (compare two,
use a take again, download, after a reload, never another visitor's), the page in the visitor's
language, a phone-sized screen, and a link that opens a take on another browser.

All offline (no key): the takes are made by the embedded engine on this machine.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from components.ui.i18n.catalogue import catalogue
from tests.audio_factory import speech_wav
from tests.browser.conftest import Studio

pytestmark = pytest.mark.browser

FIRST = ("Good morning everyone, this is the first take.", "happy")
SECOND = ("And here is the second take, a little slower.", "sad")
KEY_LEAK = re.compile(r"__i18n__|\b(?:page|msg|frag|report|details|history|share|progress)\.[a-z_]+\b")
"""What a string showing its translation key instead of its words would look like."""
PHONE = {"width": 390, "height": 844}
TAP_MIN_PX = 44
PLAYER_STATES_JS = """root => [...root.querySelectorAll('audio')].map(a => ({
    paused: a.paused, at: a.currentTime, ended: a.ended, duration: a.duration}))"""
TOO_SMALL_TO_TAP_JS = """min => {
  const small = [];
  const targets = 'button, [role=button], a[href], input:not([type=hidden]), textarea, select, '
    + 'label:has(> input[type=radio]), label:has(> input[type=checkbox])';
  for (const el of document.querySelectorAll(targets)) {
    if (el.closest('footer') || el.closest('[aria-hidden=true]')) continue;
    if (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label')) continue;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (box.width < min || box.height < min) {
      small.push(`${el.tagName} "${(el.getAttribute('aria-label') || el.innerText || '').trim().slice(0, 30)}" `
        + `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("takes") / "my voice.wav", 9.0)


def takes(studio: Studio):
    return studio.page.locator("#history .vcs-take")


def make_take(studio: Studio, text: str, emotion: str, count: int) -> None:
    studio.type_text(text)
    studio.choose_emotion(emotion)
    studio.generate()
    expect(takes(studio)).to_have_count(count, timeout=120_000)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide on a {width[1]} px screen"


def test_takes_compare_use_again_download_survive_a_reload_and_stay_private(studio, offline_app, sample, browser):
    page = studio.open(offline_app.url).page
    studio.upload(sample)
    make_take(studio, *FIRST, count=1)
    make_take(studio, *SECOND, count=2)
    newest, older = takes(studio).nth(0), takes(studio).nth(1)
    expect(newest).to_contain_text(SECOND[0])
    expect(newest.locator(".vcs-take-meta")).to_contain_text("your sample · English · sad · offline")
    expect(older.locator(".vcs-take-meta")).to_contain_text("happy")
    expect(older.locator("time")).to_have_text(re.compile(r"\d"))

    # Compare: tick both, play them one after the other.
    compare = page.locator("#history .vcs-compare")
    expect(compare).to_be_disabled()
    newest.locator(".vcs-pick input").check()
    older.locator(".vcs-pick input").check()
    compare.click()
    history = page.locator("#history")
    expect(history.locator(".vcs-compare-status")).to_have_text("Playing take 1 of 2…")
    page.wait_for_function(
        "el => { const a = el.querySelectorAll('audio'); return a[0].ended && !a[1].paused && a[1].currentTime > 0.2; }",
        arg=history.element_handle(), timeout=30_000,
    )
    states = history.evaluate(PLAYER_STATES_JS)
    assert states[0]["ended"] and states[0]["at"] >= states[0]["duration"] - 0.1, states
    expect(history.locator(".vcs-compare-status")).to_have_text("Playing take 2 of 2…")

    # Download any: the link serves the clip itself.
    link = older.locator("a.vcs-download")
    assert link.get_attribute("download").endswith("-english-happy.wav")
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.ok and response.body()[:4] == b"RIFF"

    # A reload keeps the list (it lives in this browser); use the older take's settings again.
    page.reload()
    expect(takes(studio)).to_have_count(2, timeout=30_000)
    studio.type_text("Something I was typing meanwhile.")
    takes(studio).nth(1).get_by_role("button", name="Use these settings again").click()
    expect(studio.text).to_have_value(FIRST[0])
    expect(page.locator("#emotion").get_by_label("happy", exact=True)).to_be_checked()
    expect(studio.output_player).to_be_attached()
    assert 1.0 < studio.output_duration() < 30.0
    assert studio.play_output()["error"] is None
    expect(studio.details).to_contain_text("Emotion:")
    older_meta = takes(studio).nth(1).locator(".vcs-take-meta").inner_text()
    older_match = re.search(r"voice match (\d+)%", older_meta)
    assert older_match, older_meta  # each take keeps its voice match...
    expect(page.locator("#voice_match")).to_contain_text(f"{older_match.group(1)}%")  # ...and shows it again
    studio.screenshot("takes_after_use_again")

    # Another visitor (another browser profile) sees none of it.
    other = browser.new_context()
    try:
        visitor = other.new_page()
        visitor.goto(offline_app.url)
        expect(visitor.locator("#history")).to_contain_text("Your takes appear here", timeout=30_000)
        assert visitor.locator("#history .vcs-take").count() == 0
    finally:
        other.close()
    assert not studio.page_errors


def test_the_page_switches_language_and_keeps_it(studio, offline_app, browser):
    page = studio.open(offline_app.url).page
    expect(page.locator("#generate")).to_have_text("Generate")
    words = catalogue()
    for locale, name in [("zh-CN", "中文"), ("hi", "हिन्दी"), ("es", "Español"), ("ar", "العربية"),
                         ("fr", "Français"), ("ru", "Русский")]:
        page.locator("#ui_language input").click()
        page.get_by_role("option", name=name, exact=True).click()
        expect(page.locator("#generate")).to_have_text(words.text("page.generate", locale))
        expect(page.locator("#text label, #text [data-testid=block-info]").first).to_have_text(
            words.text("page.text", locale)
        )
        expect(page.locator("#history")).to_contain_text(words.text("history.empty", locale))
        expect(page.locator("#emotion")).to_contain_text(words.text("frag.emotion.happy", locale))
        body = page.locator("body").inner_text()
        assert not KEY_LEAK.search(body), (locale, KEY_LEAK.search(body).group(0))
        assert page.evaluate("document.documentElement.dir") == ("rtl" if locale == "ar" else "ltr")
        no_sideways_scroll(page)
        if locale == "es":
            studio.screenshot("page_in_spanish")
    # The server speaks the page's language too: an error, in Russian.
    studio.generate()
    assert words.text("msg.text_empty", "ru") in " ".join(studio.error_messages())
    # Remembered in this browser.
    page.reload()
    expect(page.locator("#generate")).to_have_text(words.text("page.generate", "ru"), timeout=30_000)

    # A browser set to Spanish opens in Spanish, with nothing picked.
    spanish = browser.new_context(locale="es-ES")
    try:
        visitor = spanish.new_page()
        visitor.goto(offline_app.url)
        expect(visitor.locator("#generate")).to_have_text("Generar", timeout=30_000)
        expect(visitor.locator("#ui_language input")).to_have_value("Español")
    finally:
        spanish.close()


@pytest.fixture
def phone(browser, artifacts_dir, request):
    """A phone: 390 x 844 CSS px, touch, the fake microphone allowed."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
        permissions=["microphone"], locale="en-US", color_scheme="light",
    )
    context.set_default_timeout(30_000)
    studio = Studio(context.new_page(), artifacts_dir)
    studio.page.on("pageerror", lambda error: studio.page_errors.append(str(error)))
    try:
        yield studio
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            studio.screenshot("FAILED-phone")
        context.close()


def test_a_phone_records_generates_and_plays_without_sideways_scrolling(phone, offline_app):
    page = phone.open(offline_app.url).page
    no_sideways_scroll(page)
    assert page.evaluate(TOO_SMALL_TO_TAP_JS, TAP_MIN_PX) == []
    report = phone.record(6.5)
    assert re.search(r"\d+(\.\d+)? s of speech", report), report
    phone.type_text("Hello from my phone. This is how a shared link sounds.")
    phone.generate()
    phone.wait_for_result(timeout_s=120)
    expect(takes(phone)).to_have_count(1, timeout=30_000)
    assert phone.play_output()["reached"] > 0.1
    no_sideways_scroll(page)
    assert page.evaluate(TOO_SMALL_TO_TAP_JS, TAP_MIN_PX) == []
    assert not phone.page_errors
    phone.screenshot("phone_after_a_take")


def test_a_shared_link_opens_the_take_and_its_settings_in_another_browser(studio, offline_app, sample, browser):
    page = studio.open(offline_app.url).page
    page.get_by_role("button", name=re.compile("^Advanced")).click()
    page.locator("#backend").get_by_label("Offline engine", exact=True).check()
    page.locator("#api_key input").fill("sk-visitor-own-key-never-shared")
    studio.upload(sample)
    studio.type_text("Bonjour à tous, voici la prise que je préfère.")
    studio.choose_language("French")
    studio.choose_emotion("happy")
    studio.generate()
    studio.wait_for_result(timeout_s=120)
    expect(page.locator("#voice_match")).to_contain_text("%")
    sender_match = re.search(r"\d+%", page.locator("#voice_match").inner_text()).group(0)
    share = page.locator("#share_result")
    expect(share).to_be_enabled()
    share.click()
    link_box = page.locator("#share_link textarea")
    expect(link_box).to_have_value(re.compile(r"\?deep_link=[\w-]+$"), timeout=30_000)
    link = link_box.input_value()
    assert link.startswith(offline_app.url)
    # Gradio's own "save this session" route (it would store the key typed above) is closed, and
    # the page shows no button of Gradio's for it (ui.session_links).
    gradio_link = page.evaluate(
        "() => fetch('gradio_api/deep_link?session_hash=' + window.__gradio_session_hash__).then(r => r.status)"
    )
    assert gradio_link == 404
    assert page.locator("[id^='gradio-share-link-button']").count() == 0

    recipient = browser.new_context(locale="en-US")
    try:
        other = recipient.new_page()
        config = other.request.get(link.replace("/?", "/config?")).text()
        assert "sk-visitor-own-key-never-shared" not in config and "my voice.wav" not in config
        other.goto(link)
        expect(other.locator("#text textarea")).to_have_value(
            "Bonjour à tous, voici la prise que je préfère.", timeout=30_000
        )
        expect(other.locator("#language input")).to_have_value("French")
        expect(other.locator("#emotion").get_by_label("happy", exact=True)).to_be_checked()
        expect(other.locator("#details")).to_contain_text("Backend:")
        expect(other.locator("#voice_match")).to_contain_text(sender_match)  # the bar comes along
        visitor = Studio(other, studio.artifacts)
        assert 1.0 < visitor.output_duration() < 30.0
        assert visitor.play_output()["reached"] > 0.1
        assert other.locator("#reference_audio audio[src]").count() == 0  # the sender's voice stays theirs
        expect(other.locator("#history")).to_contain_text("Your takes appear here")
        visitor.screenshot("shared_link_opened")
    finally:
        recipient.close()


def test_a_take_with_a_library_voice_names_it_and_picks_it_again(studio, offline_app):
    page = studio.open(offline_app.url).page
    page.get_by_text("Guten Morgen! So klingt eine geklonte Stimme").click()  # an example row: Nora
    studio.wait_for_result(timeout_s=120)
    expect(takes(studio)).to_have_count(1, timeout=30_000)
    picked = page.locator("#voice_picker input").input_value()
    assert picked.startswith("Nora"), picked
    expect(takes(studio).first.locator(".vcs-take-meta")).to_contain_text(f"{picked} · German")
    # Back to a new recording, then use the take again: the example voice is picked again.
    page.locator("#voice_picker input").click()
    page.locator("#voice_picker").get_by_role("option", name=re.compile("^New recording")).click()
    expect(page.locator("#voice_picker input")).to_have_value(re.compile("^New recording"))
    takes(studio).first.get_by_role("button", name="Use these settings again").click()
    expect(page.locator("#voice_picker input")).to_have_value(picked)
    expect(studio.text).to_have_value(re.compile("^Guten Morgen"))
