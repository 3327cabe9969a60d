"""From what the person typed to a Plan and its voices, before anything is spent.

Part sizes suit the backend: ModelsLab takes MODELSLAB_CHUNK_CHARS per request, whole sentences
packed; offline, parts of about a sentence (the first one short), as the engine always spoke.
`resolve_voices` is the one place a script's names become voices.
"""

from __future__ import annotations

from components.backends import MODELSLAB
from components.errors import InputError
from components.long_form.voices import Voice, VoiceDirectory
from components.script import LIMITS, Limits, Plan, plan_text
from components.script.lines import has_script_form
from components.script.plan import MAIN_VOICE
from components.settings import Settings

OFFLINE_PART_CHARS = 150
OFFLINE_FIRST_PART_CHARS = 100
"""Offline, the first part is short so the first audio plays about a second after Generate."""


def part_sizes(backend_name: str, settings: Settings) -> dict:
    """plan_text's size arguments for a backend ('ModelsLab' or 'offline')."""
    if backend_name == MODELSLAB:
        return {"part_chars": settings.modelslab_chunk_chars, "first_part_chars": None}
    return {"part_chars": OFFLINE_PART_CHARS, "first_part_chars": OFFLINE_FIRST_PART_CHARS}


def plan_clip(
    text: str, *, language: str, emotion: str, backend_name: str, settings: Settings,
    directory: VoiceDirectory, api_key: str, limits: Limits = LIMITS,
) -> Plan:
    """The clip's plan. The voice list is asked for only when a line looks like `Name: text`."""
    known = directory.names(api_key) if has_script_form(text) else {}
    return plan_text(
        text, language=language, emotion=emotion, known_names=known, limits=limits,
        **part_sizes(backend_name, settings),
    )


def resolve_voices(
    plan: Plan, main: Voice, directory: VoiceDirectory, api_key: str, *, needs_voice: bool
) -> dict[str, Voice]:
    """Every voice the plan names -> the voice to condition its parts on.

    Args:
        main: the request's own sample or voice id (the voice of text not given to a name).
        needs_voice: the backend cannot speak without a sample or voice id (ModelsLab).
    Raises:
        InputError: text for the main voice but no sample or voice id given, where one is needed.
    """
    voices: dict[str, Voice] = {}
    for name in plan.voices:
        if name == MAIN_VOICE:
            if needs_voice and main.reference is None and not main.voice_id and plan.is_script:
                raise InputError(
                    "Record or upload a voice sample (4–30 s of speech), or enter a ModelsLab voice id: "
                    "the lines without a name are spoken in it."
                )
            if needs_voice and main.reference is None and not main.voice_id:
                raise InputError("Record or upload a voice sample (4–30 s of speech), or enter a ModelsLab voice id.")
            voices[name] = main
        else:
            voices[name] = directory.resolve(name, api_key)
    return voices
