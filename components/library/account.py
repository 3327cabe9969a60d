"""The voices of a ModelsLab account: listed (briefly cached per key) and added to.

The key is passed per call and never kept; the cache is keyed by a fingerprint of it (a salted
hash), so one account's list is never shown for another key. A saved voice remembers the same
fingerprint next to its ModelsLab voice id, so the id is only ever sent with the account it is on.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from components.audio.prepared import PreparedReference
from components.library.record import ModelsLabLink
from components.modelslab.voices import VOICE_KINDS, AccountVoice, ModelsLabVoices

LIST_CACHE_S = 60.0
"""A page load per visitor would otherwise cost two voice_list calls; a new upload clears it."""
MAX_CACHED_KEYS = 64


def account_fingerprint(api_key: str) -> str:
    """16 hex characters that tell accounts apart without revealing the key."""
    return hashlib.sha256(b"voice-clone-studio account\0" + api_key.encode()).hexdigest()[:16]


class AccountVoices:
    """voice_list (manual and trained, cached) and voice_upload for whichever key is given."""

    def __init__(self, voices: ModelsLabVoices, *, clock: Callable[[], float] = time.monotonic):
        self.voices = voices
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[float, tuple[AccountVoice, ...]]] = OrderedDict()

    def list(self, api_key: str) -> tuple[AccountVoice, ...]:
        """The account's own voices, then ModelsLab's trained ones. Raises ApiError when listing fails."""
        account = account_fingerprint(api_key)
        with self._lock:
            cached = self._cache.get(account)
        if cached is not None and self._clock() - cached[0] < LIST_CACHE_S:
            return cached[1]
        listed = tuple(voice for kind in VOICE_KINDS for voice in self.voices.list_voices(api_key, kind))
        first: dict[str, AccountVoice] = {}
        for voice in listed:
            first.setdefault(voice.voice_id, voice)
        unique = tuple(first.values())
        with self._lock:
            self._cache[account] = (self._clock(), unique)
            self._cache.move_to_end(account)
            while len(self._cache) > MAX_CACHED_KEYS:
                self._cache.popitem(last=False)
        return unique

    def find(self, api_key: str, name_or_id: str) -> AccountVoice | None:
        """The account voice whose id or name is `name_or_id` (names compared without case)."""
        wanted = name_or_id.strip()
        voices = self.list(api_key)
        by_id = next((voice for voice in voices if voice.voice_id == wanted), None)
        return by_id or next((voice for voice in voices if voice.name.casefold() == wanted.casefold()), None)

    def upload(
        self, reference: PreparedReference, *, name: str, language: str, api_key: str, tier: str
    ) -> ModelsLabLink:
        """Add the voice to the key's account (voice_upload); the link a saved voice keeps."""
        voice_id = self.voices.upload(
            name=name, language=language, sample=reference.data_uri(), api_key=api_key, tier=tier
        )
        account = account_fingerprint(api_key)
        with self._lock:
            self._cache.pop(account, None)
        return ModelsLabLink(voice_id, account, tier)
