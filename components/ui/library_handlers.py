"""What the voice library's controls do: the picker, save, rename, delete, export, import, the accent
hint, and the `/voices` and `/save_voice` API endpoints.

The visitor's saved voices come in with each event that needs them (a BrowserState: untrusted, read
by `Library.read`) and go back out changed; nothing about them is kept here. Results of an action are
shown as pop-ups; the note under the picker describes the voice picked (or what was dropped on load).
Everything a person reads is said in their page's language (`Translator`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from components.clone_service import CloneService, normalise_choice
from components.errors import InputError, VoiceCloneError
from components.library import Library, SavedVoice, accent_note
from components.library.examples import example_voice
from components.library.transfer import (
    MAX_IMPORT_BYTES,
    export_bytes,
    export_name,
    read_voice_file,
)
from components.settings import TIERS, Settings
from components.ui.handlers import to_gr_error
from components.ui.i18n import Translator
from components.ui.library_texts import (
    NEW,
    PICK_SAVED_FIRST,
    TO_MY_ACCOUNT,
    TO_SERVER_ACCOUNT,
    account_note,
    cannot_use_note,
    deleted_note,
    example_note,
    notes,
    picker_choices,
    picker_languages,
    saved_voice_note,
)

log = logging.getLogger(__name__)


class LibraryHandlers:
    """Bound to the service (its library, outputs and reference checks), the settings and the translator."""

    def __init__(self, settings: Settings, service: CloneService, translator: Translator | None = None):
        self.settings = settings
        self.service = service
        self.library = service.library
        self.translator = translator or Translator()

    def _key(self, api_key: str | None) -> str:
        return (api_key or "").strip() or self.settings.api_key

    def _say(self, english: str, request) -> str:
        return self.translator.say(english, request)

    def _error(self, exc: Exception, request) -> gr.Error:
        return to_gr_error(exc, self.translator.locale(request))

    def _picker(self, library: Library, api_key: str | None, value: str, request):
        """(picker update, value -> language map, a note if the account's voices could not be listed)."""
        key, account, problem = self._key(api_key), (), ""
        if key and self.library.account is not None:
            try:
                account = self.library.account.list(key)
            except VoiceCloneError as err:
                problem = self._say(f"Your ModelsLab voices could not be listed: {err.user_message}", request)
        choices = [(self._say(label, request), choice) for label, choice in picker_choices(library, account)]
        if value not in {choice for _, choice in choices}:
            value = NEW
        return gr.update(choices=choices, value=value), picker_languages(library, account), problem

    # -- page load, picking ------------------------------------------------------------------------
    def on_load(self, saved, consent_state, api_key, request: gr.Request = None):
        """Read the browser's saved voices (dropping what cannot be trusted) and fill the picker."""
        library = Library.read(saved)
        picker, languages, problem = self._picker(library, api_key, NEW, request)
        ticked = isinstance(consent_state, dict) and consent_state.get("ticked") is True
        cleaned = library.to_value() if library.problems else gr.skip()
        dropped = [self._say(problem_text, request) for problem_text in library.problems]
        return cleaned, picker, languages, notes(*dropped, problem), ticked

    def on_consent(self, ticked: bool):
        return {"ticked": bool(ticked)}

    def on_pick(self, picked, saved, reference, api_key, request: gr.Request = None):
        """Show the picked voice (its sample in a player) or, for a new recording, the recorder."""
        picked = picked if isinstance(picked, str) and picked else NEW
        skip = gr.skip()
        if picked == NEW:
            return (gr.update(visible=True), gr.update(visible=False), None, gr.update(visible=False), skip, "",
                    gr.update(visible=self._usable(reference)), skip, skip, skip)  # fmt: skip
        library = Library.read(saved)
        try:
            choice = self.library.resolve(picked, library, "")
            reference_now = choice.reference()
        except VoiceCloneError as err:
            return self._drop(picked, library, api_key, err, request)
        preview = None
        if reference_now is not None:
            preview = self.service.outputs.new_path(".wav", picked.replace(":", "-"))
            preview.write_bytes(reference_now.wav_bytes)
        voice, example = library.find(picked), example_voice(picked)
        if voice is not None:
            note = saved_voice_note(voice)
        else:
            note = example_note(example) if example else account_note(choice.modelslab_voice_id)
        return (gr.update(visible=False), gr.update(visible=True), str(preview) if preview else None,
                gr.update(visible=voice is not None), voice.name if voice else skip, self._say(note, request),
                gr.update(visible=False), skip, skip, skip)  # fmt: skip

    def _drop(self, picked: str, library: Library, api_key, err: VoiceCloneError, request):
        """A saved voice that no longer passes is removed from the browser, with the reason."""
        voice = library.find(picked)
        if voice is not None:
            library = library.without(voice.uid)
        picker, languages, _ = self._picker(library, api_key, NEW, request)
        saved = library.to_value() if voice is not None else gr.skip()
        note = self._say(cannot_use_note(err.user_message, removed=voice is not None), request)
        return (gr.update(visible=True), gr.update(visible=False), None, gr.update(visible=False), gr.skip(),
                note, gr.update(visible=False), saved, picker, languages)  # fmt: skip

    def _usable(self, reference) -> bool:
        if not reference:
            return False
        try:
            self.service.check_reference(reference)
            return True
        except VoiceCloneError:
            return False
        except Exception:  # noqa: BLE001 - a check that crashed only hides the save button
            log.exception("reference check failed")
            return False

    def on_sample(self, reference, picked):
        """Offer "Save voice" once the current recording is usable."""
        return gr.update(visible=(picked or NEW) == NEW and self._usable(reference))

    def on_accent(self, picked, language, sample_language, languages, request: gr.Request = None):
        """The accent hint: the sample's language differs from the text's."""
        spoken = sample_language if (picked or NEW) == NEW else (languages or {}).get(picked, "")
        hint = accent_note(spoken or "", language or "")
        return f"⚠️ {self._say(hint, request)}" if hint else ""

    # -- changing the saved voices -------------------------------------------------------------------
    def on_save(self, reference, name, sample_language, consent, to_account, api_key, tier, saved,
                request: gr.Request = None):  # fmt: skip
        """Save the current recording in the browser (and, if asked, on the ModelsLab account)."""
        try:
            outcome = self.library.save(
                reference, name=name, language=sample_language, consent=bool(consent),
                library=Library.read(saved), to_account=bool(to_account), api_key=self._key(api_key),
                tier=normalise_choice(tier, TIERS, self.settings.tier, "API tier"),
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - translated, never shown raw
            raise self._error(exc, request) from None
        for sentence in outcome.notes:
            (gr.Warning if sentence.startswith("Not saved") else gr.Info)(self._say(sentence, request))
        picker, languages, _ = self._picker(outcome.library, api_key, outcome.voice.picker_value, request)
        return outcome.library.to_value(), picker, languages

    def _picked_saved(self, picked, saved, request) -> tuple[Library, SavedVoice]:
        library = Library.read(saved)
        voice = library.find(picked) if isinstance(picked, str) else None
        if voice is None:
            raise self._error(InputError(PICK_SAVED_FIRST), request)
        return library, voice

    def on_rename(self, picked, new_name, saved, api_key, request: gr.Request = None):
        library, voice = self._picked_saved(picked, saved, request)
        try:
            renamed = voice.renamed(new_name)
            library = library.replaced(renamed)
        except VoiceCloneError as exc:
            raise self._error(exc, request) from None
        picker, languages, _ = self._picker(library, api_key, renamed.picker_value, request)
        return library.to_value(), picker, languages, self._say(saved_voice_note(renamed), request)

    def on_delete(self, picked, saved, api_key, request: gr.Request = None):
        library, voice = self._picked_saved(picked, saved, request)
        library = library.without(voice.uid)
        said = self._say(deleted_note(voice), request)
        (gr.Warning if voice.modelslab else gr.Info)(said)
        picker, languages, _ = self._picker(library, api_key, NEW, request)
        return library.to_value(), picker, languages, said

    def on_export(self, picked, saved, request: gr.Request = None):
        """The picked saved voice as one file to download (kept in Gradio's cache for up to an hour)."""
        _, voice = self._picked_saved(picked, saved, request)
        path = self.service.outputs.new_path(".voice.json", export_name(voice).removesuffix(".voice.json"))
        path.write_bytes(export_bytes(voice))
        return gr.update(value=str(path), visible=True)

    def on_import(self, files, saved, api_key, request: gr.Request = None):
        """Add voice files (exported here or on another browser/Space); each is checked like an upload."""
        library, last = Library.read(saved), None
        for file in files or []:
            name = Path(str(file)).name
            try:
                library, last = self._import_one(Path(str(file)), library)
                gr.Info(self._say(f"Imported “{last.name}”.", request))
            except VoiceCloneError as err:
                gr.Warning(self._say(f"Could not import {name}: {err.user_message}", request))
        if last is None:
            return gr.skip(), gr.skip(), gr.skip(), None
        picker, languages, _ = self._picker(library, api_key, last.picker_value, request)
        return library.to_value(), picker, languages, None

    def _import_one(self, path: Path, library: Library) -> tuple[Library, SavedVoice]:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise InputError("This file is too big to be a voice file from this app.")
        voice = read_voice_file(path.read_bytes(), library)
        self.library.saved_reference(voice)  # its audio must pass the same rules as an upload
        return library.added(voice), voice

    def on_key(self, api_key, saved, picked, request: gr.Request = None):
        """A visitor typed their own key: list their account's voices; offer saving to it."""
        picker, languages, problem = self._picker(Library.read(saved), api_key, picked or NEW, request)
        own = bool((api_key or "").strip())
        label = TO_MY_ACCOUNT if own or not self.settings.has_server_key else TO_SERVER_ACCOUNT
        to_account = gr.update(visible=bool(self._key(api_key)), label=self._say(label, request))
        return picker, languages, to_account, problem or gr.skip()

    # -- the API ------------------------------------------------------------------------------------
    # The docstrings are what the API page, gradio_client and MCP agents read (one line per Args entry).
    def voices(self, api_key: str = "", x_modelslab_key: gr.Header = None) -> list[dict]:
        """List the voices /clone accepts as voice_id: the example voices (ids like example:owen, resolved by this server), plus the voices of the ModelsLab account when a key is available.

        Args:
            api_key: Your own ModelsLab API key, to list your account's voices (voice_list, types manual and trained); without one, the server's key is used if it has one. MCP clients may send it as the X-ModelsLab-Key header instead. Never stored or logged.

        Returns:
            A list of {"id", "name", "language", "source"}, source being "example" or "modelslab"; pass an id to /clone as voice_id.
        """
        try:
            return self.library.catalogue(self._key(api_key or x_modelslab_key))
        except Exception as exc:  # noqa: BLE001 - translated, never shown raw
            raise to_gr_error(exc) from None

    def save_voice(
        self, reference: str | None, name: str, language: str, consent: bool, api_key: str = "", tier: str = "",
        x_modelslab_key: gr.Header = None,
    ) -> tuple[str, str]:
        """Store a voice on a ModelsLab account (voice_upload) and get its voice_id, for /clone. Needs an API key and consent=True; otherwise nothing is uploaded.

        Args:
            reference: A recording of one person speaking for 4-30 s (10-25 s is best), in any common audio format; prepared like /clone's reference.
            name: The voice's name: letters, digits, spaces and - _ . ' (up to 40 characters).
            language: The language spoken in the recording, one of english, arabic, chinese, spanish, german, czech, dutch, french, hindi, hungarian, italian, japanese, korean, polish, russian, turkish.
            consent: true confirms that this is your voice, or that you have the speaker's permission to clone it. Required.
            api_key: The ModelsLab API key of the account to save to; without one, the server's key is used if it has one. MCP clients may send it as the X-ModelsLab-Key header instead. Never stored or logged.
            tier: enterprise (v1 API; the sample goes through base64_to_url first) or standard (v6 API).

        Returns:
            The new voice_id and a short markdown report. ModelsLab has no endpoint to delete a voice.
        """
        try:
            return self.library.save_to_account(
                reference, name=name, language=language, consent=consent is True,
                api_key=self._key(api_key or x_modelslab_key),
                tier=normalise_choice(tier, TIERS, self.settings.tier, "API tier"),
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - translated, never shown raw
            raise to_gr_error(exc) from None
