"""The voice library in Chromium: save a recorded voice, reload, pick it, generate (offline and through
the emulator); the ModelsLab copy is then used by voice id; export, delete, import; a server restart;
example rows; the consent gate; crafted storage entries; ten 25 s voices in one browser."""

from __future__ import annotations

import base64
import json
import re

import pytest

from components.library import Library, VoiceLibrary
from components.library.transfer import export_bytes
from components.settings import DEFAULT_BROWSER_STATE_SECRET
from components.ui.library_panel import LIBRARY_STORAGE_KEY
from tests.audio_factory import speech_wav
from tests.browser.browser_storage import (
    read_browser_state,
    stored_text,
    write_browser_state,
)
from tests.conftest import app_settings, running_app
from tests.fakes.modelslab_emulator import VALID_KEY

pytestmark = pytest.mark.browser

SECRET = DEFAULT_BROWSER_STATE_SECRET
GERMAN = "Guten Morgen! Das ist meine gespeicherte Stimme."
ENGLISH = "Good morning. This is my saved voice, picked from the list."


class Library_:
    """The library's controls, driven through their elem_ids like a person would."""

    def __init__(self, studio):
        self.studio, self.page = studio, studio.page

    @property
    def picker(self):
        return self.page.locator("#voice_picker input")

    def options(self) -> list[str]:
        """The picker's choices, read by opening it (then closed as a person does: a click elsewhere)."""
        self.picker.click()
        names = self.page.locator("#voice_picker").get_by_role("option").all_inner_texts()
        self.page.locator("h1").first.click()
        self.page.wait_for_timeout(300)
        return [name.replace("✓", "").strip() for name in names]

    def pick(self, label_start: str) -> None:
        from playwright.sync_api import expect

        self.picker.click()
        self.page.locator("#voice_picker").get_by_role("option", name=re.compile("^" + re.escape(label_start))).first.click()
        expect(self.picker).to_have_value(re.compile("^" + re.escape(label_start)))

    def save(self, name: str, language: str, *, to_account: bool = False) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator("#save_voice")).to_be_visible(timeout=30_000)
        self.page.locator("#voice_name input").fill(name)
        box = self.page.locator("#sample_language input")
        box.click()
        box.fill(language[:3])
        self.page.get_by_role("option", name=language, exact=True).click()
        if to_account:
            self.page.locator("#save_to_modelslab input").check()
        self.page.locator("#save_voice").click()
        expect(self.picker).to_have_value(re.compile("^" + re.escape(name) + " — my saved voice"), timeout=60_000)

    def stored(self):
        return read_browser_state(self.page, LIBRARY_STORAGE_KEY, SECRET)

    def reload(self) -> None:
        from playwright.sync_api import expect

        self.page.reload()
        expect(self.page.locator("#generate")).to_be_enabled(timeout=30_000)
        self.page.wait_for_timeout(500)  # the load event fills the picker from the browser's storage
        expect(self.page.locator("#voice_picker")).to_be_visible()

    def note(self, expected: str) -> str:
        """The note under the picker, once it says `expected`."""
        from playwright.sync_api import expect

        note = self.page.locator("#voice_note")
        expect(note).to_contain_text(expected, timeout=30_000)
        return note.inner_text()

    def toasts(self) -> list[str]:
        from playwright.sync_api import expect

        expect(self.page.get_by_test_id("toast-text").first).to_be_visible(timeout=30_000)
        return self.page.get_by_test_id("toast-text").all_inner_texts()


@pytest.fixture(scope="module")
def upload_wav(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("lib") / "sample.wav", 10.0)


def generate(studio, text: str, language: str = "English") -> str:
    studio.type_text(text)
    studio.choose_language(language)
    studio.generate()
    return studio.wait_for_result(timeout_s=120)


@pytest.mark.parametrize("where", ["offline", "modelslab"])
def test_save_a_recorded_voice_reload_pick_it_and_generate(studio, where, offline_app, modelslab_app, emulator):
    app = offline_app if where == "offline" else modelslab_app
    library = Library_(studio)
    studio.open(app.url)
    studio.record(6.5)
    library.save("Anna", "German")
    assert [v["name"] for v in library.stored()["voices"]] == ["Anna"]

    library.reload()
    assert any(option.startswith("Anna — my saved voice, German") for option in library.options())
    library.pick("Anna — my saved voice")
    library.note("saved in this browser")
    details = generate(studio, GERMAN, "German")
    assert "your saved voice “Anna”" in details
    if where == "modelslab":  # no ModelsLab copy: the sample is sent
        body = emulator.submissions()[-1].body
        assert body["init_audio"].startswith("data:audio/wav;base64,") and "voice_id" not in body
    else:
        assert "offline" in details.lower()
    assert not studio.page_errors
    studio.screenshot(f"library_saved_voice_{where}")


def test_saved_to_modelslab_the_next_generation_sends_the_voice_id(studio, modelslab_app, emulator, upload_wav):
    library = Library_(studio)
    studio.open(modelslab_app.url)
    studio.upload(upload_wav)
    library.save("Bea", "English", to_account=True)
    assert "bea" in emulator.voice_library.voices
    assert library.stored()["voices"][0]["modelslab"]["voice_id"] == "bea"
    library.reload()
    library.pick("Bea — my saved voice, English · also on ModelsLab")
    details = generate(studio, ENGLISH)
    body = emulator.submissions()[-1].body
    assert body["voice_id"] == "bea" and "init_audio" not in body
    assert "no sample uploaded" in details and VALID_KEY not in details
    studio.screenshot("library_modelslab_voice_id")


def test_export_delete_then_import_again(studio, modelslab_app, emulator, upload_wav, tmp_path):
    library = Library_(studio)
    studio.open(modelslab_app.url)
    studio.upload(upload_wav)
    library.save("Cleo", "English")
    page = studio.page
    page.get_by_text("Rename, delete or export this saved voice").click()
    page.locator("#export_voice").click()
    with page.expect_download() as download:
        page.locator("#exported_voice a").first.click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.name == "Cleo.voice.json"
    assert json.loads(exported.read_text())["voice"]["name"] == "Cleo"

    page.locator("#delete_voice").click()
    assert any("Deleted “Cleo” from this browser" in toast for toast in library.toasts())
    assert library.stored()["voices"] == []
    assert not any(option.startswith("Cleo") for option in library.options())

    page.get_by_text("Import a saved voice file").click()
    page.locator("#import_voice input[type=file]").set_input_files(str(exported))
    from playwright.sync_api import expect

    expect(library.picker).to_have_value(re.compile("^Cleo — my saved voice"), timeout=30_000)
    library.reload()
    library.pick("Cleo — my saved voice")
    details = generate(studio, ENGLISH)
    assert "your saved voice “Cleo”" in details
    studio.screenshot("library_export_import")


def test_deleting_a_voice_on_modelslab_says_it_stays_there(studio, modelslab_app, emulator, upload_wav):
    library = Library_(studio)
    studio.open(modelslab_app.url)
    studio.upload(upload_wav)
    library.save("Dora", "English", to_account=True)
    studio.page.get_by_text("Rename, delete or export this saved voice").click()
    studio.page.locator("#delete_voice").click()
    toasts = " ".join(library.toasts())
    assert "stays" in toasts and "no way to delete a voice through its API" in toasts


def test_saved_voices_survive_a_server_restart(studio, emulator_server, upload_wav):
    settings = app_settings(emulator_server)
    library = Library_(studio)
    with running_app(settings) as (_, service):
        studio.open(f"http://127.0.0.1:{settings.server_port}/")
        studio.upload(upload_wav)
        library.save("Eli", "English")
    with running_app(settings) as (_, service):  # a new server process state, same address
        library.reload()
        library.pick("Eli — my saved voice")
        details = generate(studio, ENGLISH)
    assert "your saved voice “Eli”" in details


def test_an_example_row_makes_a_clip_in_one_click(studio, modelslab_app, emulator):
    from playwright.sync_api import expect

    studio.open(modelslab_app.url)
    studio.page.get_by_text("Guten Morgen! So klingt eine geklonte Stimme").click()
    details = studio.wait_for_result()
    assert "example voice Nora" in details and "English accent" in details
    expect(studio.page.locator("#accent_hint")).to_contain_text("may carry an English accent")
    body = emulator.submissions()[-1].body
    assert body["language"] == "german" and body["init_audio"].startswith("data:audio/wav")
    studio.screenshot("library_example_row")


def test_a_new_recording_needs_the_consent_tick(studio, modelslab_app, emulator, upload_wav):
    studio.open(modelslab_app.url)
    studio.upload(upload_wav, consent=False)
    studio.type_text(ENGLISH)
    studio.generate()
    assert any("permission" in message for message in studio.error_messages())
    assert emulator.submissions() == []
    studio.tick_consent()
    studio.page.wait_for_timeout(300)
    studio.page.reload()  # the tick is remembered by this browser
    from playwright.sync_api import expect

    expect(studio.page.locator("#consent input")).to_be_checked(timeout=30_000)


def test_crafted_storage_entries_are_refused_cleanly(studio, offline_app, upload_wav):
    good = VoiceLibrary(account=None).save(upload_wav, name="Good", language="english", consent=True, library=Library())
    entry = good.library.to_value()["voices"][0]
    crafted = {**good.library.to_value(), "voices": [
        entry,
        {**entry, "id": "0123456789ab", "name": "Bad audio", "audio": base64.b64encode(b"OggS" + bytes(3000)).decode()},
        {**entry, "id": "0123456789ac", "name": "Huge", "audio": "A" * 3_000_000},
        {**entry, "id": "0123456789ad", "name": "Path", "audio": "/etc/passwd"},
        "/etc/passwd",
    ]}  # fmt: skip
    studio.open(offline_app.url)
    write_browser_state(studio.page, LIBRARY_STORAGE_KEY, SECRET, crafted)
    library = Library_(studio)
    library.reload()
    note = library.note("Dropped")
    for name in ("“Bad audio”", "“Huge”", "“Path”", "a saved voice"):
        assert f"Dropped {name}" in note
    assert [v["name"] for v in library.stored()["voices"]] == ["Good"]  # cleaned in the browser too
    voices = [option for option in library.options() if "my saved voice" in option]
    assert voices == ["Good — my saved voice, English"]
    assert not studio.page_errors
    studio.screenshot("library_crafted_storage")


def test_ten_voices_of_25_seconds_fit_in_one_browser(studio, modelslab_app, emulator, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ten")
    sample = speech_wav(folder / "long.wav", 25.0, 24000)
    maker, files = VoiceLibrary(account=None), []
    for number in range(10):
        voice = maker.save(sample, name=f"Voice {number}", language="english", consent=True, library=Library()).voice
        voice = voice.__class__(**{**voice.__dict__, "uid": f"{number:012x}"})
        files.append(folder / f"voice-{number}.voice.json")
        files[-1].write_bytes(export_bytes(voice))
    ui = Library_(studio)
    studio.open(modelslab_app.url)
    studio.page.get_by_text("Import a saved voice file").click()
    studio.page.locator("#import_voice input[type=file]").set_input_files([str(f) for f in files])
    from playwright.sync_api import expect

    expect(ui.picker).to_have_value(re.compile("^Voice 9 — my saved voice"), timeout=120_000)
    ui.reload()
    assert len(ui.stored()["voices"]) == 10
    used = len(stored_text(studio.page, LIBRARY_STORAGE_KEY))
    assert used < 5_242_880 * 0.6  # Chromium's quota for one site, measured in characters
    ui.pick("Voice 9 — my saved voice")
    details = generate(studio, ENGLISH)
    assert "your saved voice “Voice 9”" in details
    body = emulator.submissions()[-1].body
    assert body["init_audio"].startswith("data:audio/wav;base64,")
