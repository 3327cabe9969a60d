"""The voice library: saved voices (kept in the visitor's browser), example voices (shipped) and the
voices of a ModelsLab account, behind one lookup.

Exposes `VoiceLibrary` (resolve a voice by id or name, list voices for `/voices`, save a voice),
`VoiceChoice` (a resolved voice: its sample and/or ModelsLab voice id), `Library` (the visitor's saved
voices, read strictly from what the browser sends), `accent_note`, the example voices and the voice
file format. Modules: `record` (one saved voice and its validation), `store` (the collection and its
storage budget), `codec` (compact Ogg Opus), `examples`, `account` (voice_list/voice_upload for a key),
`choice`, `transfer` (export/import one voice), `voice_library`.

The server keeps no saved voice: they arrive from the browser with a request and leave with the answer.

May import: `reference` (a stored voice passes the upload rules), `modelslab` (account voices),
`audio`, `settings`, `secrets`, `errors`. Never `backends`, `clone_service`, `offline` or `ui`.
"""

from components.library.choice import VoiceChoice, VoiceUse, accent_note
from components.library.examples import EXAMPLE_ROWS, EXAMPLE_VOICES, ExampleVoice
from components.library.record import SavedVoice
from components.library.store import Library
from components.library.voice_library import MODELSLAB_PREFIX, SaveOutcome, VoiceLibrary
from components.modelslab.voices import AccountVoice

__all__ = [
    "AccountVoice",
    "EXAMPLE_ROWS",
    "EXAMPLE_VOICES",
    "MODELSLAB_PREFIX",
    "ExampleVoice",
    "Library",
    "SaveOutcome",
    "SavedVoice",
    "VoiceChoice",
    "VoiceLibrary",
    "VoiceUse",
    "accent_note",
]
