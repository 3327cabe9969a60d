"""A voice someone chose (saved, example or ModelsLab account), and what a backend is sent for it.

A saved voice that also lives on the visitor's ModelsLab account is sent to ModelsLab as its voice id
(no sample), but only with the key of that account; the offline engine, or another account, gets the
sample. The sample is decoded only when it is needed (`reference()`), so a voice sent by id costs
nothing here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from components.audio.prepared import PreparedReference
from components.library.account import account_fingerprint

Source = Literal["saved", "example", "modelslab"]


@dataclass(frozen=True, slots=True)
class VoiceUse:
    """What one generation sends for a chosen voice."""

    reference: PreparedReference | None
    voice_id: str
    """A ModelsLab voice id, sent instead of a sample ("" when the sample is sent)."""
    note: str
    """A markdown sentence for the details panel saying which voice was used and how."""


@dataclass
class VoiceChoice:
    """A voice picked by id or name; `reference()` decodes its sample on first use."""

    label: str
    """How the details panel names it, e.g. 'your saved voice “Anna”' (markdown-safe)."""
    source: Source
    language: str
    """The language spoken in the voice's sample ("" when unknown), for the accent hint."""
    modelslab_voice_id: str = ""
    account: str = ""
    """Fingerprint of the account the voice id is on; "" when it is that of the key in use (listed)."""
    load: Callable[[], PreparedReference] | None = field(default=None, repr=False)
    _loaded: PreparedReference | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reference(self) -> PreparedReference | None:
        """The voice's prepared sample (decoded and checked once), or None for an account voice."""
        if self.load is None:
            return None
        with self._lock:
            if self._loaded is None:
                self._loaded = self.load()
            return self._loaded

    def for_backend(self, backend: str, api_key: str) -> VoiceUse:
        """What to send: the voice id to ModelsLab when it is on this key's account, else the sample."""
        voice_id = self.modelslab_voice_id
        on_this_account = voice_id and (not self.account or self.account == account_fingerprint(api_key))
        if backend == "modelslab" and on_this_account:
            how = "" if self.source == "modelslab" else ", sent as its ModelsLab voice id (no sample uploaded)"
            return VoiceUse(None, voice_id, f"**Voice:** {self.label} · voice id `{voice_id}`{how}.")
        if self.load is None:  # an account voice has no sample: the backend says what it can do
            return VoiceUse(None, voice_id, f"**Voice:** {self.label}.")
        reference = self.reference()
        return VoiceUse(reference, "", f"**Voice:** {self.label} · {reference.duration_s:.1f} s sample.")


def accent_note(sample_language: str, text_language: str) -> str:
    """The plain warning when a voice sample and the text are in different languages ("" if not)."""
    if not sample_language or not text_language or sample_language == text_language:
        return ""
    sample, text = sample_language.title(), text_language.title()
    article = "an" if sample[0] in "AEIOU" else "a"
    return (
        f"The voice sample is in {sample} and the text is in {text}: the result may carry {article} "
        f"{sample} accent. A sample recorded in {text} works best."
    )
