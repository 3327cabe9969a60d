"""Typed view of ModelsLab voice responses, parsed once at the boundary.

The API's bodies vary (see reference/modelslab-api.md): `message` or the typo `messege`,
`tip` or `tips`, a message that is an object of field errors, `output` as "" / null / a string /
a list, `links` instead of `output`, ids as int or string, HTTP 200 carrying an error.
`JobState.from_json` turns all of them into one shape and never raises anything but
`ApiProtocolError`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from components.errors import ApiProtocolError

Status = Literal["success", "processing", "failed"]

# "failed" bodies with this wording are transient on the server side (reference §4, AniFactory).
_TRY_AGAIN = re.compile(r"try\s+again", re.IGNORECASE)
_RATE_LIMIT = re.compile(r"rate limit|spam filter|too many|queue is full|current_queue", re.I)
_BAD_KEY = re.compile(r"invalid api key|api key.*(invalid|not valid|missing|required)|unauthori[sz]ed", re.I)


def _text(value: Any) -> str:
    """Flatten a message that may be a string, a list, or a {field: [errors]} object."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        parts = []
        for key, errors in value.items():
            flat = _text(errors)
            parts.append(f"{key}: {flat}" if flat else str(key))
        return "; ".join(part for part in parts if part)
    if isinstance(value, (list, tuple)):
        return "; ".join(part for part in (_text(item) for item in value) if part)
    return str(value).strip()


def _urls(value: Any) -> tuple[str, ...]:
    """Normalise "", None, a string or a list of URLs into a tuple of non-empty strings."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(item.strip() for item in value if isinstance(item, str) and item.strip())


def _job_id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 and number == number and number != float("inf") else None


@dataclass(frozen=True, slots=True)
class JobState:
    """One response from text_to_audio or fetch, normalised."""

    status: Status
    """success (audio links present), processing (poll again) or failed (error/failed bodies)."""
    job_id: str | None = None
    eta_s: float | None = None
    """The server's estimate of seconds left, when it gave one."""
    fetch_url: str | None = None
    audio_urls: tuple[str, ...] = ()
    """Where the finished audio is, best first: output, proxy_links, links, then future_links."""
    message: str = ""
    """The server's own words (message/messege, then tip/tips), for error texts."""
    generation_time_s: float | None = None

    @property
    def retryable_failure(self) -> bool:
        """A failed body that tells us to try again (transient on the server)."""
        return self.status == "failed" and bool(_TRY_AGAIN.search(self.message))

    @property
    def is_rate_limit(self) -> bool:
        return self.status == "failed" and bool(_RATE_LIMIT.search(self.message))

    @property
    def is_auth_error(self) -> bool:
        return self.status == "failed" and bool(_BAD_KEY.search(self.message))

    @classmethod
    def from_json(cls, payload: Any) -> JobState:
        """Parse a decoded JSON body. Raises ApiProtocolError if it is not a voice response."""
        if not isinstance(payload, dict):
            raise ApiProtocolError(
                "ModelsLab sent a response we could not read (not a JSON object). "
                "Try again in a minute; if it persists, the API may be having problems."
            )
        raw_status = _text(payload.get("status")).lower()
        message = _text(payload.get("message")) or _text(payload.get("messege"))
        tip = _text(payload.get("tip")) or _text(payload.get("tips"))
        finished = _urls(payload.get("output")) + _urls(payload.get("proxy_links"))
        finished += _urls(payload.get("links"))
        future = _urls(payload.get("future_links"))
        if raw_status == "success" or (not raw_status and finished):
            status: Status = "success"
        elif raw_status in ("error", "failed", "failure", "fail"):
            status = "failed"
        elif raw_status in ("processing", "queued", "pending", "starting", "running", "in_progress"):
            status = "processing"
        elif not raw_status:
            raise ApiProtocolError(
                "ModelsLab sent a response without a status or audio links. "
                "Try again in a minute; if it persists, the API may be having problems.",
                server_message=message or None,
            )
        else:
            status = "processing"  # an unknown status: keep polling until the deadline
        combined = message
        if tip and status == "failed" and tip not in message:
            combined = f"{message} ({tip})" if message else tip
        return cls(
            status=status,
            job_id=_job_id(payload.get("id")),
            eta_s=_number(payload.get("eta")),
            fetch_url=_text(payload.get("fetch_result")) or None,
            audio_urls=tuple(dict.fromkeys(finished + future)),
            message=combined,
            generation_time_s=_number(payload.get("generationTime")),
        )


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    """What we ask ModelsLab to say, and in which voice."""

    prompt: str
    language: str = "english"
    emotion: str = "neutral"
    init_audio: str | None = field(default=None, repr=False)
    """A data URI (base64) of the prepared reference, or a URL of it (from base64_to_url);
    None when cloning a stored voice_id."""
    voice_id: str = ""
    temp: bool = False
    track_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_json(self, api_key: str, tier: str) -> dict:
        """The request body; `emotion` is sent on the enterprise tier, and on standard only if not neutral."""
        body: dict = {"key": api_key, "prompt": self.prompt, "language": self.language}
        if self.init_audio:
            body["init_audio"] = self.init_audio
            body["base64"] = self.init_audio.startswith("data:")
        if self.voice_id:
            body["voice_id"] = self.voice_id
        if tier == "enterprise" or self.emotion != "neutral":
            body["emotion"] = self.emotion
        if self.temp:
            body["temp"] = True
        body["webhook"] = None
        body["track_id"] = self.track_id
        return body


@dataclass(frozen=True, slots=True)
class PollUpdate:
    """Live status while a job is queued, for the progress display."""

    job_id: str | None
    polls: int
    elapsed_s: float
    eta_left_s: float | None
