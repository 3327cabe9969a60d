"""A saved voice as the visitor's browser keeps it, and the strict reading of what a browser sends back.

The browser's copy is untrusted input, like an upload: anyone can edit localStorage. Every entry is
checked field by field (types, lengths, id patterns, a language of the list, Ogg Opus audio of a sane
size whose checksum matches); one that fails is dropped with a sentence saying why, and nothing in
it is ever used as a path, a URL or markup. Whether the audio is really a usable voice is checked
when it is used (`codec.reference_from_compact`, the same rules as an upload).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from components.errors import InputError
from components.library.codec import is_ogg_opus
from components.settings import LANGUAGES

LIBRARY_FORMAT = "voice-clone-studio/voices"
LIBRARY_VERSION = 1
MAX_VOICES = 30
MAX_AUDIO_BYTES = 240_000
"""30 s at 32 kbit/s is about 125 kB: anything much bigger was not saved by this app."""
MAX_NAME_CHARS = 40
STORAGE_BUDGET_CHARS = 4_750_000
"""Of the 5,242,880 characters Chromium gives one site (measured), leaving about 0.49 million for the
page's other browser copies (the list of takes, at most about 0.33 million; the consent tick).
What BrowserState stores is counted by `stored_chars`."""
CONSENT_STATEMENT = "This is my voice, or I have the speaker's permission."
SAVED_PREFIX = "saved:"

_ID = re.compile(r"[0-9a-f]{12}")
_ACCOUNT = re.compile(r"[0-9a-f]{16}")
_REMOTE_ID = re.compile(r"[^\x00-\x1f\x7f<>]{1,120}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
# Letters, digits, spaces and - _ . ' : no ':' or brackets, so a script line "Name (happy): ..." can name it.
_NAME = re.compile(r"[^\W_][\w .'\-]*", re.UNICODE)


class EntryRefused(ValueError):
    """A stored voice that cannot be trusted; `reason` says why in plain words."""


@dataclass(frozen=True, slots=True)
class ModelsLabLink:
    """The copy of a saved voice on a ModelsLab account (from voice_upload)."""

    voice_id: str
    account: str
    """A fingerprint of the key that uploaded it (never the key): the voice id is used only with it."""
    tier: str


@dataclass(frozen=True)
class SavedVoice:
    """One voice in the visitor's browser."""

    uid: str
    """12 hex characters; the picker names it `saved:<uid>`."""
    name: str
    language: str
    """The language spoken in the sample (for the accent hint and for voice_upload)."""
    audio: bytes = field(repr=False)
    """Ogg Opus (codec.compact_audio)."""
    seconds: float
    sample_rate: int
    """The prepared reference's rate, so reading it back never raises it."""
    saved_at: str
    consented_at: str
    """When the person ticked the consent box for this voice (ISO time); a voice has no entry without it."""
    modelslab: ModelsLabLink | None = None

    @property
    def picker_value(self) -> str:
        return SAVED_PREFIX + self.uid

    def to_json(self) -> dict:
        link = self.modelslab
        return {
            "id": self.uid, "name": self.name, "language": self.language,
            "audio": base64.b64encode(self.audio).decode("ascii"),
            "sha256": hashlib.sha256(self.audio).hexdigest(), "seconds": round(self.seconds, 2),
            "sample_rate": self.sample_rate, "saved_at": self.saved_at,
            "consent": {"statement": CONSENT_STATEMENT, "at": self.consented_at},
            "modelslab": {"voice_id": link.voice_id, "account": link.account, "tier": link.tier} if link else None,
        }  # fmt: skip

    def renamed(self, name: str) -> SavedVoice:
        return replace(self, name=clean_name(name))

    def linked(self, link: ModelsLabLink) -> SavedVoice:
        return replace(self, modelslab=link)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def new_uid() -> str:
    return uuid.uuid4().hex[:12]


def clean_name(name: Any) -> str:
    """A voice name a person typed, tidied; InputError naming the rule when it cannot be one."""
    text = " ".join(str(name or "").split())
    if not text:
        raise InputError("Give the voice a name (for example your first name).")
    if len(text) > MAX_NAME_CHARS or not _NAME.fullmatch(text):
        raise InputError(
            f"A voice name can have up to {MAX_NAME_CHARS} letters, digits, spaces and - _ . ' "
            "(no colons or brackets, so a script line can name the voice)."
        )
    return text


def parse_voice(raw: Any) -> SavedVoice:
    """One stored entry -> a SavedVoice; EntryRefused saying why when any field is wrong."""
    if not isinstance(raw, dict):
        raise EntryRefused("it is not a saved voice")
    uid = _string(raw, "id", 12)
    if not _ID.fullmatch(uid):
        raise EntryRefused("its id is not one this app makes")
    try:
        name = clean_name(_string(raw, "name", MAX_NAME_CHARS * 2))
    except InputError as err:
        raise EntryRefused("its name is not valid") from err
    language = _string(raw, "language", 20)
    if language not in LANGUAGES:
        raise EntryRefused("its language is not one of the list")
    audio = _audio(raw)
    seconds, rate = raw.get("seconds"), raw.get("sample_rate")
    if not _number_between(seconds, 1.0, 31.0) or not isinstance(rate, int) or not 8000 <= rate <= 48000:
        raise EntryRefused("its length or sample rate is not possible")
    consent = raw.get("consent")
    consented_at = consent.get("at") if isinstance(consent, dict) else None
    if not isinstance(consented_at, str) or not _TIME.fullmatch(consented_at):
        raise EntryRefused("it has no consent record")
    saved_at = raw.get("saved_at") if isinstance(raw.get("saved_at"), str) else ""
    return SavedVoice(
        uid, name, language, audio, float(seconds), rate, saved_at if _TIME.fullmatch(saved_at) else "",
        consented_at, _link(raw.get("modelslab")),
    )  # fmt: skip


def _string(raw: dict, key: str, limit: int) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or len(value) > limit:
        raise EntryRefused(f"its {key} is missing or too long")
    return value


def _number_between(value: Any, low: float, high: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high


def _audio(raw: dict) -> bytes:
    text = raw.get("audio")
    if not isinstance(text, str) or not text:
        raise EntryRefused("it has no audio")
    if len(text) > MAX_AUDIO_BYTES * 4 // 3 + 4:
        raise EntryRefused(f"its audio is larger than any voice this app saves ({len(text) * 3 // 4 / 1e6:.1f} MB)")
    try:
        audio = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as err:
        raise EntryRefused("its audio is not readable") from err
    if not is_ogg_opus(audio):
        raise EntryRefused("its audio is not audio this app saved")
    if raw.get("sha256") != hashlib.sha256(audio).hexdigest():
        raise EntryRefused("its audio was changed or damaged (the checksum does not match)")
    return audio


def _link(raw: Any) -> ModelsLabLink | None:
    """The ModelsLab copy, if it looks like one we made; otherwise the voice is kept without it."""
    if not isinstance(raw, dict):
        return None
    voice_id, account, tier = raw.get("voice_id"), raw.get("account"), raw.get("tier")
    if not (isinstance(voice_id, str) and _REMOTE_ID.fullmatch(voice_id.strip() or "<")):
        return None
    if not (isinstance(account, str) and _ACCOUNT.fullmatch(account)) or tier not in ("enterprise", "standard"):
        return None
    return ModelsLabLink(voice_id.strip(), account, tier)


def entry_label(raw: Any) -> str:
    """How to name an entry in a message: its name if that is a tidy string, else 'a saved voice'."""
    name = raw.get("name") if isinstance(raw, dict) else None
    if isinstance(name, str):
        try:
            return f"“{clean_name(name)}”"
        except InputError:
            pass
    return "a saved voice"


def stored_chars(value: dict) -> int:
    """Characters BrowserState puts in localStorage for `value`: base64 of AES over its JSON."""
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return 4 * ((16 + (size // 16 + 1) * 16 + 2) // 3) + 25
