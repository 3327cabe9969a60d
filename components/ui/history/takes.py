"""One take in the visitor's list: what made it (text, voice, language, emotion, backend, voice match,
time) and where its clip is, as stored in the visitor's own browser.

Everything here comes back from a browser, so it is untrusted: `Take.from_stored` keeps only
well-formed fields of bounded size, and a clip path counts only if it has the shape of a file this
app wrote into its own output folder (never a path the server would otherwise read or serve).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from components.settings import BACKEND_CHOICES, EMOTIONS, LANGUAGES

MAX_TAKES = 20
"""Takes kept per browser, newest first (each is under ~12 kB, the text included)."""
MAX_TEXT = 10_000
MAX_DETAILS = 8_000
MAX_NAME = 200
VOICE_KINDS = ("sample", "id", "picker", "builtin")
AUDIO_SUFFIXES = (".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac", ".webm", ".opus")
_TAKE_ID = re.compile(r"[0-9a-f]{32}")
_CLIP_FOLDER = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class Take:
    """A finished clip and the inputs that made it."""

    id: str
    """Random; names the take in the page's events."""
    clip: str
    """Absolute path of the clip in the app's output folder (served by Gradio while it exists)."""
    text: str
    language: str
    emotion: str
    voice_kind: str
    """'sample' (a recording), 'id' (a ModelsLab voice id), 'picker' (a voice from the list), 'builtin'."""
    voice_name: str = ""
    """The voice id or the picked voice's name; empty for a sample or the built-in voice."""
    voice_id: str = ""
    reference: str = ""
    """The uploaded sample's path in Gradio's upload folder, to put it back ('' when none)."""
    picked: str = ""
    """The voice picker's value, when the page has one."""
    backend_choice: str = "auto"
    made_by: str = ""
    """The backend that made it, as the details name it ('offline', 'ModelsLab')."""
    match: int | None = None
    """Voice match in percent, when the details give one."""
    created: float = 0.0
    details: str = ""

    def stored(self) -> dict:
        """The JSON-ready form kept in the browser."""
        return asdict(self)

    @property
    def clip_name(self) -> str:
        return Path(self.clip).name

    @classmethod
    def new(cls, clip: str, **inputs) -> Take:
        return cls(id=uuid.uuid4().hex, clip=clip, created=time.time(), **inputs)

    @classmethod
    def from_stored(cls, raw, outputs_root: Path, uploads_root: Path) -> Take | None:
        """A take read back from the browser, or None when it is not one this app could have made."""
        if not isinstance(raw, dict):
            return None
        take_id, clip = _text(raw.get("id"), 32), _text(raw.get("clip"), 4096)
        if not _TAKE_ID.fullmatch(take_id) or not is_app_clip(clip, outputs_root):
            return None
        match = raw.get("match")
        reference = _text(raw.get("reference"), 4096)
        return cls(
            id=take_id, clip=clip, **checked_inputs(raw),
            voice_kind=_choice(raw.get("voice_kind"), VOICE_KINDS, "builtin"),
            voice_name=_text(raw.get("voice_name"), MAX_NAME),
            voice_id=_text(raw.get("voice_id"), MAX_NAME),
            reference=reference if is_upload(reference, uploads_root) else "",
            picked=_text(raw.get("picked"), MAX_NAME),
            made_by=_text(raw.get("made_by"), 40),
            match=match if isinstance(match, int) and not isinstance(match, bool) and 0 <= match <= 100 else None,
            created=float(raw["created"]) if isinstance(raw.get("created"), (int, float)) else 0.0,
            details=_text(raw.get("details"), MAX_DETAILS),
        )

    def with_reference(self, reference: str) -> Take:
        return replace(self, reference=reference)


def checked_inputs(raw: dict) -> dict:
    """Text, language, emotion and backend choice of a take, each valid (or its default)."""
    return dict(
        text=_text(raw.get("text"), MAX_TEXT),
        language=_choice(raw.get("language"), LANGUAGES, "english"),
        emotion=_choice(raw.get("emotion"), EMOTIONS, "neutral"),
        backend_choice=_choice(raw.get("backend_choice"), BACKEND_CHOICES, "auto"),
    )


def is_app_clip(path: str, outputs_root: Path) -> bool:
    """True for a path shaped like the app's own clips: <root>/<32 hex>/<name>.<audio> or
    <root>/<32 hex>.<audio>. Decided on the string alone, before the file system is touched."""
    if not path or "\x00" in path or not os.path.isabs(path):
        return False
    normal = os.path.normpath(path)
    root = os.path.normpath(str(outputs_root))
    if normal != path or os.path.commonpath([normal, root]) != root:
        return False
    parts = Path(normal).relative_to(root).parts
    name = parts[-1]
    if not name.lower().endswith(AUDIO_SUFFIXES):
        return False
    if len(parts) == 1:
        return bool(_CLIP_FOLDER.fullmatch(Path(name).stem))
    return len(parts) == 2 and bool(_CLIP_FOLDER.fullmatch(parts[0]))


def is_upload(path: str, uploads_root: Path) -> bool:
    """True for an audio file path inside Gradio's upload folder (where a visitor's sample lands)."""
    if not path or "\x00" in path or not os.path.isabs(path):
        return False
    normal = os.path.normpath(path)
    root = os.path.normpath(str(uploads_root))
    return (
        normal == path and normal != root and os.path.commonpath([normal, root]) == root
        and "deep_links" not in Path(normal).relative_to(root).parts
        and normal.lower().endswith(AUDIO_SUFFIXES)
    )


def still_there(path: str) -> bool:
    """Whether a (validated) file still exists: Gradio's cache deletes clips after about an hour."""
    try:
        return bool(path) and os.path.isfile(path)
    except OSError:
        return False


def read_takes(raw, outputs_root: Path, uploads_root: Path) -> list[Take]:
    """The browser's list, validated: malformed entries dropped, newest first, at most MAX_TAKES."""
    if not isinstance(raw, list):
        return []
    takes, seen = [], set()
    for item in raw[: MAX_TAKES * 2]:
        take = Take.from_stored(item, outputs_root, uploads_root)
        if take is not None and take.id not in seen:
            seen.add(take.id)
            takes.append(take)
    takes.sort(key=lambda take: take.created, reverse=True)
    return takes[:MAX_TAKES]


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _choice(value, choices: tuple[str, ...], default: str) -> str:
    return value if isinstance(value, str) and value in choices else default
