"""The voice library's wording on the page: picker labels, notes under the picker, consent texts.

Every sentence here is written in English in the shape of a catalogue template (components/ui/i18n
locales, keys `page.lib.*` / `msg.lib.*`), so the page shows it in the visitor's language.
"""

from __future__ import annotations

import re

from components.library import (
    EXAMPLE_VOICES,
    AccountVoice,
    ExampleVoice,
    Library,
    SavedVoice,
)

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
TO_MY_ACCOUNT = "Also save to my ModelsLab account (later clips then send its voice id instead of the sample)"
TO_SERVER_ACCOUNT = (
    "Also save to this app's ModelsLab account (the server's key: every visitor of this page sees that "
    "account's voices in the picker; enter your own key under Advanced to use yours)"
)
PICK_SAVED_FIRST = "Pick one of your saved voices first."
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str) -> str:
    """Text from a person or an API shown as plain text inside markdown."""
    return _MARKDOWN.sub(r"\\\1", text)


def code(text: str) -> str:
    """Text for a markdown code span (escapes do not work there: a backtick would end it)."""
    return text.replace("`", "'")


def _language(code_name: str) -> str:
    return code_name.title() if code_name else "language not given"


def example_choice(voice: ExampleVoice) -> str:
    return f"{voice.name} — example, {voice.description}, {_language(voice.language)}"


def picker_choices(library: Library, account: tuple[AccountVoice, ...]) -> list[tuple[str, str]]:
    """(label, value) for every voice this visitor can pick: new, saved, examples, account voices."""
    choices = [(NEW_LABEL, NEW)]
    for voice in library.voices:
        where = " · also on ModelsLab" if voice.modelslab else ""
        choices.append((f"{voice.name} — my saved voice, {_language(voice.language)}{where}", voice.picker_value))
    choices += [(example_choice(v), v.voice_id) for v in EXAMPLE_VOICES]
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
            f"Also on your ModelsLab account as voice id `{code(voice.modelslab.voice_id)}`: generating with "
            "that account sends the voice id instead of the sample."
        )
    return "\n\n".join(lines)


def example_note(voice: ExampleVoice) -> str:
    return f"**{voice.name}** — example voice, LibriSpeech reader {voice.speaker} (CC BY 4.0)"


def account_note(voice_id: str) -> str:
    return f"ModelsLab voice `{code(voice_id)}`: made on ModelsLab with this voice id; no sample is sent."


def cannot_use_note(reason: str, removed: bool) -> str:
    note = f"**Can't use this voice:** {reason}"
    return note + " It was removed from this browser." if removed else note


def deleted_note(voice: SavedVoice) -> str:
    if not voice.modelslab:
        return f"Deleted “{voice.name}” from this browser."
    return (
        f"Deleted “{voice.name}” from this browser. Its copy on ModelsLab (voice id "
        f"`{code(voice.modelslab.voice_id)}`) stays. ModelsLab has no way to delete a voice through its API: "
        "remove it in your ModelsLab dashboard if you want it gone there too."
    )


def notes(*sentences: str) -> str:
    return "\n\n".join(sentence for sentence in sentences if sentence)
