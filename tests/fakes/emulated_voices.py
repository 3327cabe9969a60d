"""The emulator's voice-library endpoints: voice_upload (v1 and v6), voice_list and base64_to_url (v6).

Bodies as documented (reference/modelslab-api.md §1–2): upload answers
`{"status": "success", "message": "voice uploaded successfully", "voice_id": ...}`, the list
`{"status": "success", "voices": [{voice_id, name, language}]}`, base64_to_url
`{"status": "success", "id": 126, "output": [url]}`. Each has an error body, chosen by the scenario
mode `<endpoint>_error`. Checks like the real API's: the key, a name, a language of the 17, a 4–30 s
WAV/MP3 (as a URL the emulator handed out on enterprise, as base64 on v6).
"""

from __future__ import annotations

import base64
import itertools
import re
import threading
from dataclasses import dataclass, field

UPLOAD_LANGUAGES = (
    "english", "arabic", "spanish", "brazilian portuguese", "german", "czech", "chinese", "dutch", "french",
    "hindi", "hungarian", "italian", "japanese", "korean", "polish", "russian", "turkish",
)  # fmt: skip
TRAINED_VOICES = (
    {"voice_id": "actor", "name": "Actor", "language": "english"},
    {"voice_id": "tom_hank", "name": "Tom Hank", "language": "english"},
    {"voice_id": "jack_sparrow", "name": "Jack Sparrow", "language": "english"},
)
"""The documented voice_list example, served as the `trained` list."""
ERROR_BODIES = {
    "voice_upload": {"status": "error", "message": {"init_audio": ["The init audio must be between 10 and 25 seconds."]}},
    "voice_list": {"status": "error", "messege": "Voice list not available for this plan"},
    "base64_to_url": {"status": "error", "message": "Invalid base64 string", "tip": "send data:audio/wav;base64,..."},
}
MAX_BASE64_URL_BYTES = 5 * 1024 * 1024


@dataclass
class UploadedVoice:
    voice_id: str
    name: str
    language: str
    audio: bytes = field(repr=False)
    tier: str


class EmulatedVoices:
    """State and handlers of the voice endpoints; the emulator dispatches matching paths here."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.voices: dict[str, UploadedVoice] = {}
        self.files: dict[str, bytes] = {}
        """base64_to_url uploads, served at /uploads/<id>.<ext>."""
        self._ids = itertools.count(126)
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.voices.clear()
            self.files.clear()

    def handles(self, method: str, path: str) -> bool:
        endpoint = path.rsplit("/", 1)[-1]
        if method == "GET":
            return path.startswith("/uploads/")
        return "/voice/" in path and endpoint in ERROR_BODIES

    def dispatch(self, handler, record, method: str, path: str, send, send_raw) -> None:
        if method == "GET":
            data = self.files.get(path.rsplit("/", 1)[-1].split(".")[0])
            if data is None:
                return send_raw(handler, 404, b"Not found", "text/plain")
            return send_raw(handler, 200, data, "audio/wav" if data.startswith(b"RIFF") else "audio/mpeg")
        endpoint = path.rsplit("/", 1)[-1]
        tier = "v6" if "/api/v6/" in path else "v1"
        body = record.body
        if not isinstance(body, dict) or body.get("key") not in self.emulator.valid_keys:
            return send(handler, 401, {"status": "error", "message": "Invalid Api Key"})
        if tier == "v1" and endpoint != "voice_upload":
            return send(handler, 404, {"status": "error", "message": "Not found"})
        scenario = self.emulator.scenario
        if scenario.mode == f"{endpoint}_error" or (endpoint == "base64_to_url" and scenario.refuse_uploads):
            return send(handler, 200, ERROR_BODIES[endpoint])
        answer = getattr(self, "_" + endpoint)(handler, body, tier)
        send(handler, 200, answer)

    # -- endpoints -------------------------------------------------------------------------------
    def _base64_to_url(self, handler, body: dict, tier: str) -> dict:
        audio, problem = _audio_from_data_uri(body.get("init_audio"), needs_flag=False, body=body)
        if problem:
            return {"status": "error", "message": problem}
        if len(audio) > MAX_BASE64_URL_BYTES:
            return {"status": "error", "message": "File size exceeds 5MB"}
        file_id = str(next(self._ids))
        with self._lock:
            self.files[file_id] = audio
        ext = "wav" if audio.startswith(b"RIFF") else "mp3"
        return {"status": "success", "id": int(file_id), "output": [f"{self._host(handler)}/uploads/{file_id}.{ext}"]}

    def _voice_upload(self, handler, body: dict, tier: str) -> dict:
        name, language = body.get("name"), body.get("language")
        if not isinstance(name, str) or not name.strip():
            return {"status": "error", "message": {"name": ["The name field is required."]}}
        if language not in UPLOAD_LANGUAGES:
            return {"status": "error", "message": {"language": ["The selected language is invalid."]}}
        init_audio = body.get("init_audio")
        if tier == "v1" or not str(init_audio).startswith("data:"):
            audio = self._served_file(init_audio)
            if audio is None:
                return {"status": "error", "message": "Unable to fetch audio from provided URL"}
        else:
            audio, problem = _audio_from_data_uri(init_audio, needs_flag=True, body=body)
            if problem:
                return {"status": "error", "message": problem}
        from tests.fakes.modelslab_emulator import audio_seconds

        seconds = audio_seconds(audio) if audio.startswith(b"RIFF") else 10.0
        if seconds is None or not 4.0 <= seconds <= 30.0:
            return {"status": "error", "message": "Only mp3 and wav of 4 to 30 seconds are allowed"}
        voice_id = self._new_voice_id(name)
        with self._lock:
            self.voices[voice_id] = UploadedVoice(voice_id, name, language, audio, tier)
        return {"status": "success", "message": "voice uploaded successfully", "voice_id": voice_id}

    def _voice_list(self, handler, body: dict, tier: str) -> dict:
        kind = body.get("type", "manual")
        if kind == "trained":
            return {"status": "success", "voices": [dict(voice) for voice in TRAINED_VOICES]}
        if kind != "manual":
            return {"status": "success", "voices": []}
        with self._lock:
            voices = [{"voice_id": v.voice_id, "name": v.name, "language": v.language} for v in self.voices.values()]
        return {"status": "success", "voices": voices}

    # -- helpers ---------------------------------------------------------------------------------
    def _served_file(self, url) -> bytes | None:
        """The bytes behind a URL this emulator handed out (what the real API would fetch)."""
        match = re.fullmatch(r"https?://[^/]+/uploads/(\d+)\.(wav|mp3)", str(url or ""))
        return self.files.get(match.group(1)) if match else None

    def _new_voice_id(self, name: str) -> str:
        """Like the documented `jacob`: the name in lower case, made unique on this account."""
        base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "voice"
        with self._lock:
            candidate, n = base, 1
            while candidate in self.voices:
                n += 1
                candidate = f"{base}_{n}"
            return candidate

    def _host(self, handler) -> str:
        return f"http://{handler.headers.get('Host')}"


def _audio_from_data_uri(value, *, needs_flag: bool, body: dict) -> tuple[bytes, str | None]:
    """(bytes, None) for a WAV/MP3 data URI; (b"", what is wrong) otherwise."""
    if needs_flag and body.get("base64") is not True:
        return b"", "Unable to fetch audio from provided URL"
    if not isinstance(value, str):
        return b"", "init_audio is required"
    header, _, payload = value.partition(",")
    if header not in ("data:audio/wav;base64", "data:audio/mpeg;base64"):
        return b"", "Only mp3 and wav are allowed"
    try:
        return base64.b64decode(payload, validate=True), None
    except ValueError:
        return b"", "Invalid base64 string"
