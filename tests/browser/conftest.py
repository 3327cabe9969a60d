"""Real-browser fixtures: Debian's Chromium driven by Playwright, its fake mic fed real speech.

Chromium is never downloaded (`playwright install` cannot work on these machines): the system's
Chromium (/usr/bin/chromium, or $CHROMIUM_PATH) is launched. When it or Playwright is missing the
tests FAIL with install instructions; they are never skipped, so CI cannot pass without them.

The app runs in-process (tests/conftest.py `running_app`) on a free port, against the loopback
ModelsLab emulator or offline. Every test saves a screenshot of its final state under
artifacts/browser/ (and FAILED-<test>.png when it fails), to be looked at, not only asserted on.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.audio_factory import speech_wav
from tests.conftest import app_settings, running_app

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
VIEWPORT = {"width": 1280, "height": 900}
MIC_SPEECH_SECONDS = 20.0
"""Length of the speech file behind the fake microphone (Chromium loops it)."""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
INSTALL_HINT = (
    "Install it with `bash scripts/setup.sh --dev` (as root it apt-installs chromium), or "
    "`sudo apt-get install chromium` on Debian/Ubuntu, or point CHROMIUM_PATH at a Chromium/Chrome "
    "binary. Do not run `playwright install`: the system browser is used."
)
AUDIO_DURATION_JS = """el => new Promise((resolve) => {
    if (el.readyState >= 1 && isFinite(el.duration)) return resolve(el.duration);
    el.addEventListener('loadedmetadata', () => resolve(el.duration), {once: true});
    el.addEventListener('error', () => resolve(-1), {once: true});
})"""
PLAY_JS = """async el => {
    el.muted = true;
    el.currentTime = 0;
    await el.play();
    const started = performance.now();
    while (el.currentTime < 0.2 && !el.ended && performance.now() - started < 5000) {
        await new Promise(r => setTimeout(r, 50));
    }
    const reached = el.currentTime;
    el.pause();
    return {reached, error: el.error ? el.error.code : null};
}"""


def chromium_executable() -> str:
    candidates = [os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium"]
    candidates += [
        shutil.which(name) or "" for name in ("chromium", "chromium-browser", "google-chrome")
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        f"Chromium was not found (looked for $CHROMIUM_PATH, /usr/bin/chromium). {INSTALL_HINT}"
    )


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def mic_speech(tmp_path_factory) -> Path:
    """Real speech (Piper) that Chromium's fake microphone plays into every recording."""
    return speech_wav(tmp_path_factory.mktemp("mic") / "mic-speech.wav", MIC_SPEECH_SECONDS, 44100)


@pytest.fixture(scope="session")
def browser(mic_speech):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: `.venv/bin/pip install -r requirements-dev.txt`.")
    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-audio-capture={mic_speech}"],
        )
        yield browser
        browser.close()


@dataclass
class AppUnderTest:
    url: str
    service: object


@pytest.fixture(scope="session")
def modelslab_app(emulator_server):
    """The real app with a server key, talking to the loopback ModelsLab emulator."""
    settings = app_settings(emulator_server)
    with running_app(settings) as (_, service):
        yield AppUnderTest(f"http://127.0.0.1:{settings.server_port}/", service)


@pytest.fixture(scope="session")
def offline_app():
    """The real app with no key anywhere: the offline engine (the default on a fresh machine)."""
    settings = app_settings(None)
    with running_app(settings) as (_, service):
        yield AppUnderTest(f"http://127.0.0.1:{settings.server_port}/", service)


@dataclass
class Studio:
    """The Voice Clone Studio page, driven like a person would, through the public elem_ids."""

    page: object
    artifacts: Path
    page_errors: list[str] = field(default_factory=list)

    def open(self, url: str) -> Studio:
        from playwright.sync_api import expect

        self.page.goto(url)
        expect(self.page.locator("#generate")).to_be_enabled(timeout=30_000)
        return self

    # --- the voice sample -------------------------------------------------------------------
    @property
    def reference(self):
        return self.page.locator("#reference_audio")

    @property
    def reference_report(self):
        return self.page.locator("#reference_report")

    def record(self, seconds: float, consent: bool = True) -> str:
        """Record from the (fake) microphone for `seconds`, as a person does: Record ... Stop, then
        tick the consent box (unless `consent` is False).

        Returns the app's report on the sample (what was prepared, or what is wrong with it).
        """
        from playwright.sync_api import expect

        self.reference.locator("button[aria-label='Record audio']").click()
        record = self.reference.locator("button.record-button")
        expect(record).to_be_visible(timeout=10_000)
        record.click()
        stop = self.reference.locator("button.stop-button")
        expect(stop).to_be_visible(timeout=10_000)
        self.page.wait_for_timeout(seconds * 1000)  # the recording's length is the point here
        stop.click()
        report = self.wait_for_reference_report()
        self.tick_consent(consent)
        return report

    def upload(self, path: Path, consent: bool = True) -> str:
        """Upload a file through the audio box's upload tab (and tick the consent box, unless
        `consent` is False); returns the app's report on it."""
        self.reference.locator("button[aria-label='Upload file']").click()
        self.reference.locator("input[type=file]").set_input_files(str(path))
        report = self.wait_for_reference_report()
        self.tick_consent(consent)
        return report

    def tick_consent(self, ticked: bool = True) -> None:
        """The box a new recording needs before Generate or Save voice ("This is my voice, or...")."""
        from playwright.sync_api import expect

        box = self.page.locator("#consent input[type=checkbox]")
        box.set_checked(ticked)
        expect(box).to_be_checked(checked=ticked)

    def wait_for_reference_report(self) -> str:
        """The app checks the sample as soon as it is set; wait for its verdict (ok or problem)."""
        from playwright.sync_api import expect

        expect(self.reference.locator("audio[src]").first).to_be_attached(timeout=20_000)
        # The report text itself (not its "processing | 0.3s" overlay), once the check is over.
        text = self.reference_report.get_by_test_id("markdown")
        expect(text).to_have_text(re.compile(r"\w"), timeout=30_000)
        busy = self.reference_report.get_by_test_id("status-tracker")
        expect(busy).to_have_class(re.compile(r"\bhide\b"), timeout=30_000)
        return text.inner_text()

    # --- the other inputs --------------------------------------------------------------------
    @property
    def text(self):
        return self.page.locator("#text textarea")

    def type_text(self, text: str) -> None:
        self.text.click()
        self.text.fill(text)

    def choose_language(self, label: str) -> None:
        from playwright.sync_api import expect

        box = self.page.locator("#language input")
        box.click()
        box.fill(label[:3])
        self.page.get_by_role("option", name=label, exact=True).click()
        expect(box).to_have_value(label)

    def choose_emotion(self, emotion: str) -> None:
        from playwright.sync_api import expect

        choice = self.page.locator("#emotion").get_by_label(emotion, exact=True)
        choice.check()
        expect(choice).to_be_checked()

    # --- generating ---------------------------------------------------------------------------
    @property
    def details(self):
        return self.page.locator("#details")

    @property
    def output_player(self):
        return self.page.locator("#output_audio audio[src]")

    def generate(self) -> None:
        self.page.locator("#generate").click()

    def wait_for_result(self, timeout_s: float = 90.0) -> str:
        """Wait until the details panel names the backend (it is written with the final clip)."""
        from playwright.sync_api import expect

        expect(self.details).to_contain_text("Backend:", timeout=timeout_s * 1000)
        expect(self.output_player).to_be_attached(timeout=10_000)
        return self.details.inner_text()

    def output_duration(self) -> float:
        """Duration of the clip in the output player, as the browser decoded it (seconds)."""
        return float(self.output_player.evaluate(AUDIO_DURATION_JS))

    def play_output(self) -> dict:
        """Play the output (muted) and report how far playback got: proof that it is playable."""
        return self.output_player.evaluate(PLAY_JS)

    def error_messages(self, timeout_s: float = 60.0) -> list[str]:
        """Wait for an error toast and return every toast message shown."""
        from playwright.sync_api import expect

        texts = self.page.get_by_test_id("toast-text")
        expect(texts.first).to_be_visible(timeout=timeout_s * 1000)
        # Let the toast finish fading in, so the screenshot shows it as a person reads it.
        expect(self.page.get_by_test_id("toast-body").first).to_have_css("opacity", "1")
        return texts.all_inner_texts()

    def screenshot(self, name: str) -> Path:
        """Save the whole page (1280 px wide) as artifacts/browser/<name>.png."""
        self.page.mouse.move(0, 0)  # no hover highlight left on the last button clicked
        path = self.artifacts / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def studio(browser, artifacts_dir, request):
    """A fresh browser context (microphone allowed) and page per test; screenshots on failure."""
    context = browser.new_context(
        permissions=["microphone"], viewport=VIEWPORT, locale="en-US", color_scheme="light"
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    studio = Studio(page, artifacts_dir)
    page.on("pageerror", lambda error: studio.page_errors.append(str(error)))
    try:
        yield studio
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            safe = re.sub(r"[^\w.-]+", "_", request.node.name)
            try:
                studio.screenshot(f"FAILED-{safe}")
            except Exception:  # noqa: BLE001 - a broken page must not hide the real failure
                pass
        context.close()
