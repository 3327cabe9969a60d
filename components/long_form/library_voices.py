"""Script names answered by the voice library: the visitor's saved voices (from their browser), the
example voices, and the voices of the key's ModelsLab account, the same lookup the voice picker uses."""

from __future__ import annotations

import logging

from components.errors import ApiError, VoiceCloneError
from components.library import EXAMPLE_VOICES, Library, VoiceLibrary
from components.long_form.voices import Voice
from components.script.lines import name_key

log = logging.getLogger(__name__)


class LibraryVoices:
    """A VoiceDirectory for one request: `saved_voices` as the browser sent them (untrusted)."""

    def __init__(self, library: VoiceLibrary, saved_voices: object, backend: str):
        self.library = library
        self.saved_voices = saved_voices
        self.backend = backend
        """'modelslab' or 'local': a saved voice on the key's account goes to ModelsLab as its id."""

    def names(self, api_key: str) -> dict[str, str]:
        """Every name a script may use; on a clash the saved voice wins, as in the picker."""
        names = [voice.name for voice in EXAMPLE_VOICES]
        if api_key and self.library.account is not None:
            try:
                names = [voice.name for voice in self.library.account.list(api_key) if voice.name] + names
            except ApiError as err:  # the account's voices cannot be named now; the others still can
                log.info("account voices not listed for a script: %s", type(err).__name__)
        names += [voice.name for voice in Library.read(self.saved_voices).voices]
        return {name_key(name): name for name in names}

    def resolve(self, name: str, api_key: str) -> Voice:
        choice = self.library.resolve(name, self.saved_voices, api_key)
        use = choice.for_backend(self.backend, api_key)
        if use.reference is not None:
            return Voice(name, use.reference, use.voice_id)
        try:  # sent by its voice id: still scored against its own sample, if it has one (best-effort)
            scored = choice.reference()
        except VoiceCloneError:
            scored = None
        return Voice(name, None, use.voice_id, scored)
