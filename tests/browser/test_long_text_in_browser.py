"""Long text on the page: the counter says how many parts before Generate, the first part plays
while the rest are made, the downloads hold WAV, MP3 and subtitles, and a failed part is named
with the parts that worked offered for download. Plus: the counter agrees with the server's split."""

from __future__ import annotations

import json
import random
import re

import pytest

from components.errors import InputError
from components.long_form.planning import part_sizes
from components.script import plan_text
from components.settings import Settings
from components.ui.long_text import part_count_js
from tests.audio_factory import speech_wav

pytestmark = pytest.mark.browser

SENTENCES = 75
"""At 500 characters a part, 11 parts: three waves of 5 on the emulator (the whole clip comes seconds
after part 1 starts playing)."""


def long_text() -> str:
    return " ".join(f"This is sentence number {i}, and it talks about the weather today." for i in range(1, SENTENCES + 1))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("long") / "sample.wav", 8.0)


def test_the_first_part_plays_while_the_rest_are_made(studio, modelslab_app, emulator, sample):
    from playwright.sync_api import expect

    emulator.reset(mode="processing", eta_s=2.0, speech_cps=12)
    studio.open(modelslab_app.url)
    studio.upload(sample)
    studio.type_text(long_text())
    counter = studio.page.locator("#char_count")
    expect(counter).to_contain_text(re.compile(r"4,940 / 10,000 characters · parts: 11"))
    studio.generate()
    expect(studio.details).to_contain_text(re.compile(r"Part [1-5] of 11 ready and playing"), timeout=30_000)
    wait_until_live_player_plays(studio)
    assert studio.page.locator("#output_audio audio[src]").count() == 0, "the whole clip is not there yet"
    studio.screenshot("long-text-first-part-playing")
    details = studio.wait_for_result()
    assert "**Parts:**" not in details and "Parts: 11, made up to 5 at a time" in details
    assert studio.output_duration() > 200
    downloads = studio.page.locator("#downloads")
    expect(downloads).to_contain_text(".mp3", timeout=60_000)
    names = downloads.inner_text()
    assert re.search(r"\.wav", names) and re.search(r"\.srt", names), names
    studio.screenshot("long-text-finished")


def wait_until_live_player_plays(studio, timeout_s: float = 30.0) -> None:
    from playwright.sync_api import expect

    expect(studio.page.locator("#live_audio")).to_be_visible(timeout=timeout_s * 1000)
    live = studio.page.locator("#live_audio audio")  # in the waveform's shadow DOM
    for _ in range(int(timeout_s / 0.05)):
        if live.count() and live.evaluate_all("els => els.some(a => a.currentTime > 0.2 && !a.paused)"):
            return
        studio.page.wait_for_timeout(50)
    pytest.fail("the live player did not start playing part 1")


def test_offline_the_first_sentences_play_while_the_rest_are_spoken(studio, offline_app, sample):
    studio.open(offline_app.url)
    studio.upload(sample)
    studio.type_text(" ".join(f"Sentence {i} of a longer text, spoken on this server." for i in range(1, 13)))
    studio.generate()
    wait_until_live_player_plays(studio, timeout_s=60)
    details = studio.wait_for_result(timeout_s=120)
    assert re.search(r"Parts: \d+, made one after another on this server", details), details


def test_a_part_that_fails_is_named_and_the_others_are_offered(studio, modelslab_app, emulator, sample):
    from playwright.sync_api import expect

    emulator.reset(mode="drop_part", eta_s=0.5, speech_cps=12, target_text="number 30,")
    studio.open(modelslab_app.url)
    studio.upload(sample)
    studio.type_text(long_text())
    studio.generate()
    messages = " ".join(studio.error_messages())
    assert re.search(r"part \d+ of 11 \(“[^”]+”\) failed", messages), messages
    downloads = studio.page.locator("#downloads")
    expect(downloads).to_contain_text("part-01-of-11")
    assert "could not be finished" in studio.details.inner_text()
    studio.screenshot("long-text-part-failed")


def corpus() -> list[str]:
    rng = random.Random(7)
    words = ["hello", "world", "Dr.", "said", "no.", "3.", "yes!", "why?", "and,", "so;", "but —", "Note:",
             "[pause 1s]", '<break time="500ms"/>', "日本語です。", "Ünïcode", "x" * 30, "\n", "\n\n", "Alice:",
             "Bob Smith (happy):", "Carol:", "Zed (sad):", "[pause soon]", "e.g.", "…", '"Quoted."', "😀" * 30,
             "长句子没有空格" * 8]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 90))) for _ in range(300)]
    return texts + ["Alice: hi\nBob Smith (happy): yo\n\nplain line", "Note: the shop opens at 9.", "", "  "]


def server_count(text: str, backend: str, settings: Settings, names: dict[str, str]) -> int:
    sizes = part_sizes("ModelsLab" if backend == "modelslab" else "offline", settings)
    try:
        return len(plan_text(text.strip(), language="english", emotion="neutral", known_names=names, **sizes).parts)
    except InputError as err:
        assert "limit" not in str(err)
        return -1 if text.strip() else 0


def test_the_page_counts_parts_as_the_server_splits_them(studio):
    settings = Settings(api_key="k", modelslab_chunk_chars=60)
    names = {"alice": "Alice", "bob smith": "Bob Smith"}
    js = part_count_js(settings, tuple(names.values()))
    cases = [(text, backend) for text in corpus() for backend in ("modelslab", "local")]
    studio.page.goto("about:blank")
    said = studio.page.evaluate(f"(cases) => {{ const count = {js}; return cases.map(([t, b]) => count(t, b, '')); }}", cases)
    mismatches = []
    for (text, backend), shown in zip(cases, said):
        match = re.search(r"parts: (\d+)", shown)
        page = int(match.group(1)) if match else (0 if not text.strip() else -1)
        if page != server_count(text, backend, settings, names):
            mismatches.append((text[:80], backend, shown))
    assert not mismatches, json.dumps(mismatches[:5], ensure_ascii=False)
