"""The voice library's wording on the page: picker labels, notes under the picker, consent texts."""

from __future__ import annotations

import re

from components.library import EXAMPLE_VOICES, AccountVoice, Library, SavedVoice

NEW = "new"
"""The picker's value for a new recording or upload (the page as it always was)."""
NEW_LABEL = "New recording or upload"
CONSENT_LABEL = "This is my voice, or I have the speaker's permission"
CONSENT_TO_GENERATE = (
    "Tick “This is my voice, or I have the speaker's permission” under the recorder before generating "
    "from a recording or upload. Example voices and saved voices need no tick."
)
STORAGE_NOTE = (
    "Saved voices stay in this browser only (its local storage for this site); the server keeps none. "
    "Export a voice to keep a copy or move it to another browser."
)
NO_DELETE_ON_MODELSLAB = (
    "ModelsLab has no way to delete a voice through its API: remove it in your ModelsLab dashboard if "
    "you want it gone there too."
)
TO_MY_ACCOUNT = "Also save to my ModelsLab account (later clips then send its voice id instead of the sample)"
TO_SERVER_ACCOUNT = (
    "Also save to this app's ModelsLab account (the server's key: every visitor of this page sees that "
    "account's voices in the picker; enter your own key under Advanced to use yours)"
)
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str) -> str:
    """Text from a person or an API shown as plain text inside markdown."""
    return _MARKDOWN.sub(r"\\\1", text)


def _language(code: str) -> str:
    return code.title() if code else "language not given"


def picker_choices(library: Library, account: tuple[AccountVoice, ...]) -> list[tuple[str, str]]:
    """(label, value) for every voice this visitor can pick: new, saved, examples, account voices."""
    choices = [(NEW_LABEL, NEW)]
    for voice in library.voices:
        where = " · also on ModelsLab" if voice.modelslab else ""
        choices.append((f"{voice.name} — my saved voice, {_language(voice.language)}{where}", voice.picker_value))
    choices += [(f"{v.label}, {_language(v.language)}", v.voice_id) for v in EXAMPLE_VOICES]
    for voice in account:
        kind = "my ModelsLab voice" if voice.kind == "manual" else "ModelsLab voice"
        choices.append((f"{voice.name} — {kind}, {_language(voice.language)}", "modelslab:" + voice.voice_id))
    return choices


def picker_languages(library: Library, account: tuple[AccountVoice, ...]) -> dict[str, str]:
    """Picker value -> the language spoken in that voice's sample (for the accent hint)."""
    languages = {voice.picker_value: voice.language for voice in library.voices}
    languages.update({v.voice_id: v.language for v in EXAMPLE_VOICES})
    languages.update({"modelslab:" + v.voice_id: v.language for v in account if v.language})
    return languages


def saved_voice_note(voice: SavedVoice) -> str:
    lines = [f"**{md(voice.name)}** — saved in this browser · {voice.language.title()} · {voice.seconds:.1f} s"]
    if voice.modelslab:
        lines.append(
            f"Also on your ModelsLab account as voice id `{md(voice.modelslab.voice_id)}`: generating with "
            "that account sends the voice id instead of the sample."
        )
    return "\n\n".join(lines)


def deleted_note(voice: SavedVoice) -> str:
    note = f"Deleted “{md(voice.name)}” from this browser."
    if voice.modelslab:
        note += f" Its copy on ModelsLab (voice id `{md(voice.modelslab.voice_id)}`) stays. {NO_DELETE_ON_MODELSLAB}"
    return note


def notes(*sentences: str) -> str:
    return "\n\n".join(sentence for sentence in sentences if sentence)
