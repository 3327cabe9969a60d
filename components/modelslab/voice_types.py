"""Typed view of ModelsLab's voice-library answers: voice_upload, voice_list and base64_to_url.

Parsed once, at the boundary, and as forgiving as `types.JobState` about the API's quirks: `message`
or `messege`, a message that is an object of field errors, ids as numbers or strings, `output` as a
string or a list. Anything unusable becomes an ApiError whose message says what to do; nothing else
is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from components.errors import (
    ApiAuthError,
    ApiError,
    ApiProtocolError,
    ApiRateLimitError,
)
from components.modelslab.types import JobState
from components.secrets import redact

MAX_LISTED_VOICES = 500
"""More than this from one voice_list is not a voice list we can show; the rest is ignored."""
MAX_FIELD_CHARS = 120
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FAILED = ("error", "failed", "failure", "fail")

VOICE_KINDS = ("manual", "trained")
"""voice_list types we show: the account's own uploads, and ModelsLab's pre-trained voices."""


@dataclass(frozen=True, slots=True)
class AccountVoice:
    """One voice of a ModelsLab account, as voice_list describes it."""

    voice_id: str
    """What text_to_audio takes as `voice_id`, passed on unchanged."""
    name: str
    """The name shown to a person (the voice id when the API gave none)."""
    language: str
    """The language of the voice's sample, lower-case as the API spells it; "" when not given."""
    kind: str
    """'manual' (uploaded to this account) or 'trained' (ModelsLab's pre-trained voices)."""


def _clean(value: Any) -> str:
    """A short single-line string from an API field (numbers become their digits), or ""."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub(" ", value).strip()[:MAX_FIELD_CHARS]


def _checked(payload: Any, api_key: str, what: str) -> dict:
    """The body as a dict, or the error its status calls for (`what`: 'upload the voice', ...)."""
    if not isinstance(payload, dict):
        raise ApiProtocolError(
            f"ModelsLab answered with something we could not read when asked to {what}. "
            "Try again in a minute."
        )
    if _clean(payload.get("status")).lower() not in _FAILED:
        return payload
    state = JobState.from_json({**payload, "status": "error"})
    message = redact(state.message, api_key) or "no reason given"
    if state.is_auth_error:
        raise ApiAuthError(
            f'ModelsLab rejected the API key: "{message}". Check the key, then try again.',
            server_message=state.message,
        )
    if state.is_rate_limit:
        raise ApiRateLimitError(
            f'ModelsLab is rate-limiting this key: "{message}". Wait a minute, then try again.',
            server_message=state.message,
        )
    raise ApiError(
        f'ModelsLab could not {what}: "{message}". Check the sample, name and language, then try again.',
        server_message=state.message,
    )


def parse_voice_upload(payload: Any, api_key: str) -> str:
    """voice_upload's answer -> the new voice id. `{"status": "success", "voice_id": "jacob", ...}`."""
    body = _checked(payload, api_key, "save the voice")
    voice_id = _clean(body.get("voice_id")) or _clean(body.get("id"))
    if not voice_id:
        raise ApiProtocolError(
            "ModelsLab said the voice was saved but sent no voice id, so it cannot be used. "
            "Check your ModelsLab voice list, then try again."
        )
    return voice_id


def parse_voice_list(payload: Any, api_key: str, kind: str) -> tuple[AccountVoice, ...]:
    """voice_list's answer -> the voices it names; entries without a usable id are skipped."""
    body = _checked(payload, api_key, "list the account's voices")
    listed = body.get("voices")
    if listed is None:
        listed = body.get("data")
    if not isinstance(listed, list):
        if listed is None and _clean(body.get("status")).lower() == "success":
            return ()
        raise ApiProtocolError("ModelsLab sent a voice list we could not read. Try again in a minute.")
    voices: dict[str, AccountVoice] = {}
    for item in listed[:MAX_LISTED_VOICES]:
        if not isinstance(item, dict):
            continue
        voice_id = _clean(item.get("voice_id")) or _clean(item.get("id"))
        if voice_id and voice_id not in voices:
            name = _clean(item.get("name")) or voice_id
            voices[voice_id] = AccountVoice(voice_id, name, _clean(item.get("language")).lower(), kind)
    return tuple(voices.values())


def parse_uploaded_url(payload: Any, api_key: str) -> str:
    """base64_to_url's answer -> the temporary URL of the uploaded file (http or https only)."""
    body = _checked(payload, api_key, "take the voice sample")
    urls = JobState.from_json({"status": "success", "output": body.get("output"), "links": body.get("url")})
    for url in urls.audio_urls:
        if url.lower().startswith(("https://", "http://")):
            return url
    raise ApiProtocolError(
        "ModelsLab took the voice sample but sent no link to it, so the voice could not be saved. "
        "Try again in a minute."
    )
