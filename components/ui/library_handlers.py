"""What the voice library's controls do: the picker, save, rename, delete, export, import, the consent
gate, the accent hint, and the `/voices` and `/save_voice` API endpoints.

The visitor's saved voices come in with each event that needs them (a BrowserState: untrusted, read
by `Library.read`) and go back out changed; nothing about them is kept here. Results of an action are
shown as pop-ups; the note under the picker describes the voice picked (or what was dropped on load).
"""

from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from components.clone_service import CloneService, normalise_choice
from components.errors import InputError, VoiceCloneError
from components.library import Library, SavedVoice, accent_note
from components.library.transfer import (
    MAX_IMPORT_BYTES,
    export_bytes,
    export_name,
    read_voice_file,
)
from components.settings import TIERS, Settings
from components.ui.handlers import to_gr_error
from components.ui.library_texts import (
    NEW,
    TO_MY_ACCOUNT,
    TO_SERVER_ACCOUNT,
    deleted_note,
    md,
    notes,
    picker_choices,
    picker_languages,
    saved_voice_note,
)

log = logging.getLogger(__name__)

TITLE = "Voice library"


class LibraryHandlers:
    """Bound to the service (its library, outputs and reference checks) and the settings."""

    def __init__(self, settings: Settings, service: CloneService, translator=None):
        self.translator = translator
        self.settings = settings
        self.service = service
        self.library = service.library

    def _key(self, api_key: str | None) -> str:
        return (api_key or "").strip() or self.settings.api_key

    def _picker(self, library: Library, api_key: str | None, value: str):
        """(picker update, value -> language map, a note if the account's voices could not be listed)."""
        key, account, problem = self._key(api_key), (), ""
        if key and self.library.account is not None:
            try:
                account = self.library.account.list(key)
            except VoiceCloneError as err:
                problem = f"Your ModelsLab voices could not be listed: {err.user_message}"
        choices = picker_choices(library, account)
        if value not in {choice for _, choice in choices}:
            value = NEW
        return gr.update(choices=choices, value=value), picker_languages(library, account), problem

    # -- page load, picking ------------------------------------------------------------------------
    def on_load(self, saved, consent_state, api_key):
        """Read the browser's saved voices (dropping what cannot be trusted) and fill the picker."""
        library = Library.read(saved)
        picker, languages, problem = self._picker(library, api_key, NEW)
        ticked = isinstance(consent_state, dict) and consent_state.get("ticked") is True
        cleaned = library.to_value() if library.problems else gr.skip()
        return cleaned, picker, languages, notes(*library.problems, problem), ticked

    def on_consent(self, ticked: bool):
        return {"ticked": bool(ticked)}

    def on_pick(self, picked, saved, reference, api_key):
        """Show the picked voice (its sample in a player) or, for a new recording, the recorder."""
        picked = picked if isinstance(picked, str) and picked else NEW
        skip = gr.skip()
        if picked == NEW:
            usable = self._usable(reference)
            return (gr.update(visible=True), gr.update(visible=False), None, gr.update(visible=False), skip, "",
                    gr.update(visible=usable), skip, skip, skip)  # fmt: skip
        library = Library.read(saved)
        try:
            choice = self.library.resolve(picked, library, "")
            reference_now = choice.reference()
        except VoiceCloneError as err:
            return self._drop(picked, library, api_key, err)
        preview = None
        if reference_now is not None:
            preview = self.service.outputs.new_path(".wav", picked.replace(":", "-"))
            preview.write_bytes(reference_now.wav_bytes)
        voice = library.find(picked)
        note = saved_voice_note(voice) if voice else f"**{md(choice.label[0].upper() + choice.label[1:])}**"
        if choice.source == "modelslab":
            note += " — made on ModelsLab with this voice id; no sample is sent."
        return (gr.update(visible=False), gr.update(visible=True), str(preview) if preview else None,
                gr.update(visible=voice is not None), voice.name if voice else skip, note,
                gr.update(visible=False), skip, skip, skip)  # fmt: skip

    def _drop(self, picked: str, library: Library, api_key, err: VoiceCloneError):
        """A saved voice that no longer passes is removed from the browser, with the reason."""
        voice = library.find(picked)
        if voice is not None:
            library = library.without(voice.uid)
        picker, languages, _ = self._picker(library, api_key, NEW)
        saved = library.to_value() if voice is not None else gr.skip()
        removed = " It was removed from this browser." if voice is not None else ""
        return (gr.update(visible=True), gr.update(visible=False), None, gr.update(visible=False), gr.skip(),
                f"**Can't use this voice:** {md(err.user_message)}{removed}", gr.update(visible=False),
                saved, picker, languages)  # fmt: skip

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

    def on_accent(self, picked, language, sample_language, languages):
        """The accent hint: the sample's language differs from the text's."""
        spoken = sample_language if (picked or NEW) == NEW else (languages or {}).get(picked, "")
        hint = accent_note(spoken or "", language or "")
        return f"⚠️ {hint}" if hint else ""

    # -- changing the saved voices -------------------------------------------------------------------
    def on_save(self, reference, name, sample_language, consent, to_account, api_key, tier, saved):
        """Save the current recording in the browser (and, if asked, on the ModelsLab account)."""
        try:
            outcome = self.library.save(
                reference, name=name, language=sample_language, consent=bool(consent),
                library=Library.read(saved), to_account=bool(to_account), api_key=self._key(api_key),
                tier=normalise_choice(tier, TIERS, self.settings.tier, "API tier"),
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - translated, never shown raw
            raise to_gr_error(exc, TITLE) from None
        for sentence in outcome.notes:
            (gr.Warning if sentence.startswith("Not saved") else gr.Info)(sentence)
        picker, languages, problem = self._picker(outcome.library, api_key, outcome.voice.picker_value)
        return outcome.library.to_value(), picker, languages

    def _picked_saved(self, picked, saved) -> tuple[Library, SavedVoice]:
        library = Library.read(saved)
        voice = library.find(picked) if isinstance(picked, str) else None
        if voice is None:
            raise to_gr_error(InputError("Pick one of your saved voices first."), TITLE)
        return library, voice

    def on_rename(self, picked, new_name, saved, api_key):
        library, voice = self._picked_saved(picked, saved)
        try:
            renamed = voice.renamed(new_name)
            library = library.replaced(renamed)
        except VoiceCloneError as exc:
            raise to_gr_error(exc, TITLE) from None
        picker, languages, _ = self._picker(library, api_key, renamed.picker_value)
        return library.to_value(), picker, languages, saved_voice_note(renamed)

    def on_delete(self, picked, saved, api_key):
        library, voice = self._picked_saved(picked, saved)
        library = library.without(voice.uid)
        (gr.Warning if voice.modelslab else gr.Info)(deleted_note(voice))
        picker, languages, _ = self._picker(library, api_key, NEW)
        return library.to_value(), picker, languages, deleted_note(voice)

    def on_export(self, picked, saved):
        """The picked saved voice as one file to download (kept in Gradio's cache for up to an hour)."""
        _, voice = self._picked_saved(picked, saved)
        path = self.service.outputs.new_path(".voice.json", export_name(voice).removesuffix(".voice.json"))
        path.write_bytes(export_bytes(voice))
        return gr.update(value=str(path), visible=True)

    def on_import(self, files, saved, api_key):
        """Add voice files (exported here or on another browser/Space); each is checked like an upload."""
        library, last = Library.read(saved), None
        for file in files or []:
            name = Path(str(file)).name
            try:
                library, last = self._import_one(Path(str(file)), library)
                gr.Info(f"Imported “{last.name}”.")
            except VoiceCloneError as err:
                gr.Warning(f"{name}: {err.user_message}")
        if last is None:
            return gr.skip(), gr.skip(), gr.skip(), None
        picker, languages, _ = self._picker(library, api_key, last.picker_value)
        return library.to_value(), picker, languages, None

    def _import_one(self, path: Path, library: Library) -> tuple[Library, SavedVoice]:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise InputError("This file is too big to be a voice file from this app.")
        voice = read_voice_file(path.read_bytes(), library)
        self.library.saved_reference(voice)  # its audio must pass the same rules as an upload
        return library.added(voice), voice

    def on_key(self, api_key, saved, picked):
        """A visitor typed their own key: list their account's voices; offer saving to it."""
        picker, languages, problem = self._picker(Library.read(saved), api_key, picked or NEW)
        own = bool((api_key or "").strip())
        label = TO_MY_ACCOUNT if own or not self.settings.has_server_key else TO_SERVER_ACCOUNT
        return picker, languages, gr.update(visible=bool(self._key(api_key)), label=label), problem or gr.skip()

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
            raise to_gr_error(exc, TITLE) from None

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
            raise to_gr_error(exc, TITLE) from None
