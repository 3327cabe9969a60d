"""The voice library's operations: find a voice by id or name, list what a caller can use, save one.

`VoiceLibrary.resolve(name_or_id, saved_voices, api_key)` is the one lookup every caller uses (the
page's picker, `/clone`'s example ids, and script lines that name a voice): saved voices first (the
visitor's own), then the example voices, then the voices of the key's ModelsLab account.

The server keeps no voice: saved voices arrive from the visitor's browser with each request that
needs them (untrusted, read with `Library.read`) and leave with the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from components.audio.prepared import PreparedReference
from components.errors import ApiError, AudioInputError, InputError
from components.library.account import AccountVoices
from components.library.choice import VoiceChoice
from components.library.codec import compact_audio, reference_from_compact
from components.library.examples import (
    EXAMPLE_PREFIX,
    EXAMPLE_VOICES,
    ExampleVoice,
    example_voice,
)
from components.library.record import (
    SAVED_PREFIX,
    SavedVoice,
    clean_name,
    new_uid,
    now_iso,
)
from components.library.store import Library
from components.reference import prepare
from components.settings import LANGUAGES

log = logging.getLogger(__name__)

MODELSLAB_PREFIX = "modelslab:"
"""How the page's picker names an account voice (the API's `/voices` gives the bare id)."""
CONSENT_NEEDED = (
    "Tick “This is my voice, or I have the speaker's permission” first: a voice is only saved with "
    "the speaker's consent."
)


@dataclass(frozen=True)
class SaveOutcome:
    library: Library
    voice: SavedVoice
    notes: tuple[str, ...]
    """Plain sentences: what was saved where, and anything that did not work."""


def check_sample_language(language: str | None) -> str:
    cleaned = (language or "").strip().lower()
    if cleaned not in LANGUAGES:
        raise InputError("Choose the language spoken in the voice sample.")
    return cleaned


class VoiceLibrary:
    """Saved, example and account voices for every visitor; it holds no visitor's voices itself."""

    def __init__(
        self,
        *,
        account: AccountVoices | None,
        target_rate: int = 24000,
        max_upload_mb: float = 25.0,
        prepare_reference: Callable[..., PreparedReference] = prepare,
    ):
        self.account = account
        self.target_rate = target_rate
        self.max_upload_mb = max_upload_mb
        self.prepare_reference = prepare_reference

    @staticmethod
    def is_library_id(voice_id: str) -> bool:
        """True for ids this library resolves itself (`saved:…`, `example:…`); others go to the API as is."""
        return voice_id.strip().lower().startswith((SAVED_PREFIX, EXAMPLE_PREFIX, MODELSLAB_PREFIX))

    # -- finding a voice -----------------------------------------------------------------------
    def resolve(self, name_or_id: str, saved_voices: object = None, api_key: str = "") -> VoiceChoice:
        """The voice called `name_or_id`: an id (`saved:…`, `example:…`, `modelslab:…`) or a name.

        Args:
            name_or_id: what the person or caller wrote.
            saved_voices: the visitor's saved voices as their browser sent them (untrusted), or a Library.
            api_key: the key in use ("" for none): account voices are looked up only with one.

        Raises:
            InputError: no such voice (the message lists the names that exist).
            ApiError: the account's voices could not be listed.
        """
        text = " ".join((name_or_id or "").split())
        library = saved_voices if isinstance(saved_voices, Library) else Library.read(saved_voices)
        lowered = text.lower()
        if lowered.startswith(SAVED_PREFIX):
            voice = library.find(text)
            if voice is None:
                raise InputError(
                    "That saved voice is no longer in this browser (it may have been deleted in "
                    "another tab). Choose another voice."
                )
            return self._saved_choice(voice)
        if lowered.startswith(MODELSLAB_PREFIX):
            voice_id = text[len(MODELSLAB_PREFIX):].strip()
            return VoiceChoice(f"ModelsLab voice `{voice_id}`", "modelslab", "", voice_id)
        example = example_voice(text)
        if lowered.startswith(EXAMPLE_PREFIX) and example is None:
            known = ", ".join(v.voice_id for v in EXAMPLE_VOICES)
            raise InputError(f"There is no example voice {text!r}. The example voices are: {known}.")
        saved = None if example and lowered.startswith(EXAMPLE_PREFIX) else library.named(text)
        if saved is not None:
            return self._saved_choice(saved)
        if example is not None:
            return self._example_choice(example)
        if api_key and self.account is not None and text:
            found = self.account.find(api_key, text)
            if found is not None:
                label = f"ModelsLab voice “{found.name}”"
                return VoiceChoice(label, "modelslab", found.language, found.voice_id)
        names = [v.name for v in library.voices] + [v.name for v in EXAMPLE_VOICES]
        raise InputError(f"There is no voice called “{text}”. Voices you can use: {', '.join(names)}.")

    def _saved_choice(self, voice: SavedVoice) -> VoiceChoice:
        link = voice.modelslab
        return VoiceChoice(
            f"your saved voice “{voice.name}”", "saved", voice.language,
            link.voice_id if link else "", link.account if link else "",
            load=lambda: self.saved_reference(voice),
        )  # fmt: skip

    def _example_choice(self, example: ExampleVoice) -> VoiceChoice:
        label = f"example voice {example.name} (LibriSpeech reader {example.speaker}, CC BY 4.0)"
        return VoiceChoice(label, "example", example.language, load=lambda: self.example_reference(example))

    def saved_reference(self, voice: SavedVoice) -> PreparedReference:
        """A saved voice's sample, decoded and checked by the same rules as an upload."""
        try:
            return reference_from_compact(
                voice.audio, target_rate=min(self.target_rate, voice.sample_rate),
                prepare_reference=self.prepare_reference, max_upload_mb=self.max_upload_mb,
            )  # fmt: skip
        except AudioInputError as err:
            raise AudioInputError(
                f"Your saved voice “{voice.name}” cannot be used: {err.user_message} "
                "Delete it, then record and save it again."
            ) from err

    def example_reference(self, example: ExampleVoice) -> PreparedReference:
        return self.prepare_reference(example.path, target_rate=self.target_rate, max_upload_mb=self.max_upload_mb)

    def catalogue(self, api_key: str = "") -> list[dict]:
        """`/voices`: every voice a caller can name in `/clone`'s voice_id, as {id, name, language, source}."""
        voices = [
            {"id": v.voice_id, "name": v.name, "language": v.language, "source": "example"} for v in EXAMPLE_VOICES
        ]
        if api_key and self.account is not None:
            voices += [
                {"id": v.voice_id, "name": v.name, "language": v.language, "source": "modelslab"}
                for v in self.account.list(api_key)
            ]
        return voices

    # -- saving a voice ------------------------------------------------------------------------
    def save(
        self, reference_path, *, name: str, language: str, consent: bool, library: Library,
        to_account: bool = False, api_key: str = "", tier: str = "enterprise",
    ) -> SaveOutcome:  # fmt: skip
        """Prepare the sample, compress it, check it still passes once read back, add it to `library`;
        with `to_account`, also voice_upload it (a failure there keeps the browser copy and says so)."""
        if not consent:
            raise InputError(CONSENT_NEEDED)
        name, language = clean_name(name), check_sample_language(language)
        prepared = self._prepare(reference_path)
        audio = compact_audio(prepared)
        stored = SavedVoice(new_uid(), name, language, audio, 0.0, prepared.sample_rate, now_iso(), now_iso())
        try:
            reloaded = self.saved_reference(stored)
        except AudioInputError as err:
            raise AudioInputError(
                "This sample is too close to the limits to be kept: once compressed for your browser it "
                f"no longer passes ({err.user_message}) Record a little longer, then save again."
            ) from err
        voice = replace(stored, seconds=reloaded.duration_s)
        updated = library.added(voice)
        notes = [f"Saved “{name}” in this browser ({len(audio) / 1000:.0f} kB, {reloaded.duration_s:.1f} s of speech)."]
        if to_account:
            try:
                voice = voice.linked(self._upload(prepared, name, language, api_key, tier))
                updated = updated.replaced(voice)
                notes.append(f"Also saved to your ModelsLab account as voice id `{voice.modelslab.voice_id}`.")
            except (ApiError, InputError) as err:
                notes.append(f"Not saved to your ModelsLab account: {err.user_message}")
        return SaveOutcome(updated, voice, tuple(notes))

    def save_to_account(
        self, reference_path, *, name: str, language: str, consent: bool, api_key: str, tier: str
    ) -> tuple[str, str]:
        """`/save_voice`: prepare the sample and voice_upload it. Returns (voice_id, details markdown)."""
        if not consent:
            raise InputError(
                "Saving a voice needs consent=True: confirm that it is your voice, or that you have "
                "the speaker's permission."
            )
        if not api_key:
            raise InputError("Saving a voice to ModelsLab needs an API key: pass api_key (this server has none).")
        name, language = clean_name(name), check_sample_language(language)
        prepared = self._prepare(reference_path)
        link = self._upload(prepared, name, language, api_key, tier)
        details = "\n\n".join([
            f"**Saved to ModelsLab:** “{name}” ({language.title()}), voice id `{link.voice_id}` ({tier} tier).",
            f"**Sample:** {prepared.source} → {prepared.duration_s:.1f} s of speech.",
            *(f"- {sentence}" for sentence in prepared.report),
            "Use it with `/clone` as `voice_id`. ModelsLab has no endpoint to delete a voice: remove it "
            "in your ModelsLab dashboard if you need to.",
        ])  # fmt: skip
        return link.voice_id, details

    def _prepare(self, reference_path) -> PreparedReference:
        if not reference_path:
            raise InputError("Record or upload a voice sample first (4–30 s of speech), then save it.")
        return self.prepare_reference(reference_path, target_rate=self.target_rate, max_upload_mb=self.max_upload_mb)

    def _upload(self, prepared: PreparedReference, name: str, language: str, api_key: str, tier: str):
        if self.account is None:
            raise InputError("This server cannot reach ModelsLab, so the voice was not uploaded.")
        if not api_key:
            raise InputError("there is no ModelsLab API key. Enter yours under Advanced, then save again.")
        return self.account.upload(prepared, name=name, language=language, api_key=api_key, tier=tier)
