"""A ModelsLab voice API emulator: a real threaded HTTP server on 127.0.0.1.

It serves the documented bodies and quirks of reference/modelslab-api.md, chosen by `scenario`,
validates what it receives like the real API would (JSON, key, prompt, a 4-30 s WAV/MP3 data URI),
records every request, and serves real WAV results that carry their job's id (so each caller can
tell its own result apart) and remember when they became ready and when they were delivered.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import math
import struct
import threading
import time
import wave
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fakes.emulated_voices import EmulatedVoices

VALID_KEY = "emulator-key-7f3a9c21"

SCENARIOS = (
    "success",  # immediate success with output + proxy_links
    "processing",  # processing with eta, then success once eta has passed
    "links_only",  # enterprise voice_to_voice shape: no status/id, `links` instead of output
    "error_200",  # HTTP 200 carrying status:error
    "messege",  # error with the `messege` typo and `tips`
    "message_object",  # validation error whose message is an object
    "unauthorized",  # HTTP 401 body
    "rate_limit",  # HTTP 429 with Retry-After, `rate_limit_times` times, then success
    "spam_filter",  # legacy HTTP 200 "Rate limit exceeded" + tips, `rate_limit_times` times
    "failed_then_ok",  # processing; fetch says failed+"Try Again" `fail_times` times, then success
    "failed_terminal",  # processing; fetch says failed with a reason
    "result_404_first",  # success, but the result 404s `not_found_times` times
    "never_finishes",  # processing forever
    "server_error_then_ok",  # fetch answers 503 `fail_times` times, then works
    "html",  # submit answers an HTML page
    "truncated",  # submit answers truncated JSON
    "result_html",  # success, but the result URL returns an HTML page
    "result_huge",  # success, but the result is bigger than any sane cap
    "result_not_audio",  # success, but the result bytes are not audio
    "string_output",  # fetch processing body with "output": "" then success with id as string
    "slow_submit",  # submit answers only after `delay_s` (`fail_times` times), then normally
    "slow_fetch",  # processing; fetch answers only after `delay_s` (`fail_times` times), then normally
    "submit_server_error",  # submit answers HTTP `status_code` (500/502/503) `fail_times` times
    "fetch_html",  # processing; fetch answers HTTP 200 with an HTML page `fail_times` times
    "fetch_truncated",  # processing; fetch answers HTTP 200 with truncated JSON `fail_times` times
    "result_undecodable",  # success, but the result is a WAV header followed by garbage
    "result_slow",  # success, but the result URL answers only after `delay_s` (`fail_times` times)
    "echo_key",  # HTTP 200 error whose message quotes the key it was sent (a careless server)
    "voice_upload_error",  # voice_upload answers its error body (tests/fakes/emulated_voices.py)
    "voice_list_error",  # voice_list answers its error body
    "base64_to_url_error",  # base64_to_url answers its error body
    # Long texts (processing with eta otherwise); the part is the job whose prompt contains `target_text`:
    "drop_part",  # that part's job fails on fetch every time (the API lost it)
    "drop_part_once",  # ... only the first time it is sent
    "truncate_part",  # that part's audio is much shorter than its text, every time
    "truncate_part_once",  # ... only the first time it is sent
)
LONG_TEXT_MODES = ("drop_part", "drop_part_once", "truncate_part", "truncate_part_once")
TRUNCATED_SHARE = 0.15
"""A truncated part lasts this share of what its text needs."""


@dataclass
class Scenario:
    mode: str = "success"
    eta_s: float = 1.0
    fail_times: int = 1
    rate_limit_times: int = 1
    not_found_times: int = 2
    retry_after_s: int = 1
    result_seconds: float = 1.5
    delay_s: float = 0.0
    """How long the slow_* modes keep the request waiting before answering."""
    status_code: int = 503
    """The HTTP status of submit_server_error and server_error_then_ok."""
    speech_cps: float = 0.0
    """When > 0, a result lasts (letters and digits of its prompt) / speech_cps seconds, like speech."""
    target_text: str = ""
    """The part the long-text modes act on: the job whose prompt contains this."""
    queue_limit: int = 0
    """When > 0, like an account's queue: a submit while this many jobs are unfinished gets a 429."""
    refuse_uploads: bool = False
    """base64_to_url answers its error body while the rest runs in `mode` (an account without it)."""
    echo_voice: bool = False
    """Each result is the job's own voice sample (init_audio, cut or looped to the result's length)
    instead of a tone: a perfect cloner, so a script's voices can be told apart by their voice match."""


@dataclass
class Job:
    job_id: str
    track_id: str
    ready_at: float
    body: dict
    delivered_at: float | None = None
    """When the result bytes were first served (time.monotonic, comparable across processes)."""
    submitted_at: float = field(default_factory=time.monotonic)
    reported_at: float | None = None
    """When a fetch first answered `success` for this job."""
    fetch_times: list[float] = field(default_factory=list)
    """time.monotonic of every fetch of this job, for the polling-rate figures."""
    fetches: int = 0
    downloads: int = 0
    seconds: float = 1.5
    """How long its result lasts."""
    lost: bool = False
    """The API "lost" it (drop_part): every fetch says failed."""


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict
    body: dict | None = field(repr=False)
    """The decoded JSON body; kept out of repr because it holds the API key."""
    raw: bytes = field(repr=False, default=b"")
    at: float = field(default_factory=time.monotonic)
    """When the request arrived (time.monotonic), for backoff and polling-rate checks."""


def make_wav(seconds: float, frequency: float, comment: str = "", rate: int = 22050) -> bytes:
    """A real 16-bit mono WAV: a tone at `frequency` with a LIST/INFO chunk naming the job (ISRC, the
    "source" field: the app writes its own AI-generated disclosure into ICMT and keeps the rest)."""
    import numpy as np  # vectorised: the load benchmark serves dozens of these at once

    frames = int(seconds * rate)
    samples = (12000 * np.sin(2 * np.pi * frequency * np.arange(frames) / rate)).astype("<i2").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return tag_wav(buffer.getvalue(), comment)


def tag_wav(data: bytes, comment: str) -> bytes:
    """`data` with a LIST/INFO chunk naming the job (ISRC), as every result carries."""
    if comment:
        text = comment.encode() + b"\0"
        text += b"\0" * (len(text) % 2)
        info = b"INFO" + b"ISRC" + struct.pack("<I", len(text)) + text
        chunk = b"LIST" + struct.pack("<I", len(info)) + info
        data = data[:4] + struct.pack("<I", len(data) - 8 + len(chunk)) + data[8:] + chunk
    return data


def echo_wav(sample: bytes | None, seconds: float, comment: str) -> bytes | None:
    """`sample` (WAV or MP3 bytes) cut or looped to `seconds`, as a tagged 16-bit WAV; None without one."""
    import numpy as np
    import soundfile

    if not sample:
        return None
    audio, rate = soundfile.read(io.BytesIO(sample), dtype="float32", always_2d=True)
    audio = np.resize(audio.mean(axis=1), max(1, int(seconds * rate)))
    buffer = io.BytesIO()
    soundfile.write(buffer, audio, rate, format="WAV", subtype="PCM_16")
    return tag_wav(buffer.getvalue(), comment)


def wav_to_mp3(wav: bytes) -> bytes:
    """The same audio as MP3 (libsndfile's encoder; no ffmpeg needed)."""
    import soundfile

    audio, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    buffer = io.BytesIO()
    soundfile.write(buffer, audio, rate, format="MP3")
    return buffer.getvalue()


def undecodable_wav() -> bytes:
    """Starts like a WAV (RIFF....WAVE) but its fmt chunk is nonsense: no decoder can read it."""
    fmt = b"fmt " + struct.pack("<I", 16) + struct.pack("<HHIIHH", 0x7A7A, 0, 0, 0, 0, 0)
    body = b"WAVE" + fmt + b"data" + struct.pack("<I", 4000) + bytes(range(256)) * 4
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav_job_id(data: bytes) -> str:
    """Read back the job id `make_wav` wrote (INFO ISRC), also after the app has tagged the file."""
    at = data.find(b"ISRC")
    if at < 0:
        return ""
    (size,) = struct.unpack("<I", data[at + 4 : at + 8])
    return data[at + 8 : at + 8 + size].rstrip(b"\0").decode()


wav_comment = wav_job_id  # the name tests used while the job id lived in ICMT


def audio_seconds(data: bytes) -> float | None:
    """Duration of a WAV payload; None for other formats (MP3 is accepted unmeasured)."""
    if not data.startswith(b"RIFF"):
        return None
    with wave.open(io.BytesIO(data)) as reader:
        return reader.getnframes() / reader.getframerate()


class ModelsLabEmulator:
    """Start with `start()`, stop with `stop()`; point MODELSLAB_BASE_URL at `base_url`."""

    def __init__(self, valid_key: str = VALID_KEY):
        self.valid_key = valid_key
        self.valid_keys = {valid_key}
        """Every key the emulator accepts; tests add a visitor's own key here."""
        self.scenario = Scenario()
        self.requests: list[RecordedRequest] = []
        self.jobs: dict[str, Job] = {}
        self._ids = itertools.count(334166)
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self._generation = 0
        """Bumped by reset(): a stalled request from before it is dropped, not answered."""
        self.voice_library = EmulatedVoices(self)
        """voice_upload / voice_list / base64_to_url, and the voices uploaded so far."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ModelsLabEmulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self, *, keep_voices: bool = False, **scenario) -> None:
        """A new scenario with no requests or jobs; `keep_voices` keeps what base64_to_url and voice_upload
        stored (as the real API does for 24 h), else those are forgotten too."""
        with self._lock:
            self._generation += 1
            self.scenario = Scenario(**scenario)
            self.valid_keys = {self.valid_key}
            self.requests.clear()
            self.jobs.clear()
            self._counters.clear()
        if not keep_voices:
            self.voice_library.reset()

    def _stall(self) -> None:
        """Keep a slow_* request waiting; if a reset came meanwhile (the test that sent it has ended),
        answer nothing, so a late request never creates a job in the next test's scenario."""
        generation = self._generation
        time.sleep(self.scenario.delay_s)
        if generation != self._generation:
            raise _Abandoned()

    def submissions(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/text_to_audio")]

    def prompts(self) -> list[str]:
        """The prompt of every text_to_audio request, in the order they arrived."""
        return [r.body.get("prompt") for r in self.submissions() if isinstance(r.body, dict)]

    def upload_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/base64_to_url")]

    def fetches(self) -> list[RecordedRequest]:
        return [r for r in self.requests if "/fetch/" in r.path]

    def _count(self, name: str) -> int:
        """How many times `name` happened before (thread-safe)."""
        with self._lock:
            seen = self._counters.get(name, 0)
            self._counters[name] = seen + 1
            return seen

    # -- request handling ----------------------------------------------------------------------
    def _handler_class(self):
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                emulator._dispatch(self, "POST")

            def do_GET(self):
                emulator._dispatch(self, "GET")

        return Handler

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        record = RecordedRequest(method, handler.path, dict(handler.headers), body, raw)
        with self._lock:
            self.requests.append(record)
        path = handler.path.split("?")[0]
        try:
            if method == "POST" and path.endswith("/voice/text_to_audio"):
                self._submit(handler, record, tier="v6" if "/api/v6/" in path else "v1")
            elif method == "POST" and "/voice/fetch/" in path:
                self._fetch(handler, record, path.rsplit("/", 1)[-1])
            elif self.voice_library.handles(method, path):
                self.voice_library.dispatch(handler, record, method, path, _send, _send_raw)
            elif method == "GET" and path.startswith("/results/"):
                self._result(handler, path.rsplit("/", 1)[-1].split(".")[0])
            else:
                _send(handler, 404, {"status": "error", "message": "Not found"})
        except _Abandoned:
            handler.close_connection = True

    def _submit(self, handler, record: RecordedRequest, tier: str) -> None:
        mode = self.scenario.mode
        if mode == "slow_submit" and self._count("slow") < self.scenario.fail_times:
            self._stall()
        if mode == "submit_server_error" and self._count("5xx") < self.scenario.fail_times:
            code = self.scenario.status_code
            return _send_raw(handler, code, f"<html>{code} Server Error</html>".encode(), "text/html")
        if mode == "html":
            return _send_raw(handler, 200, b"<html><body>Bad gateway</body></html>", "text/html")
        if mode == "truncated":
            return _send_raw(handler, 200, b'{"status": "success", "output": ["htt', "application/json")
        if mode == "echo_key":
            key = record.body.get("key") if isinstance(record.body, dict) else None
            return _send(handler, 200, {"status": "error", "message": f"Queue full for key {key}", "tip": f"key={key}"})
        problem = self._validate(handler, record)
        if problem:
            return _send(handler, *problem)
        if mode == "unauthorized":
            return _send(handler, 401, {"status": "error", "message": "Invalid Api Key"})
        if mode == "error_200":
            return _send(handler, 200, {"status": "error", "message": "Voice cloning server is overloaded"})
        if mode == "messege":
            return _send(handler, 200, {"status": "error", "messege": "Model is loading", "tips": "retry later"})
        if mode == "message_object":
            return _send(handler, 200, {"status": "error", "message": {"init_audio": ["The init audio is invalid."]}})
        if mode == "rate_limit" and self._count("rate_limit") < self.scenario.rate_limit_times:
            return _send(
                handler, 429,
                {"status": "error", "message": "Rate limit exceeded. Maximum 5 queued requests allowed.", "retry_after": 1},
                headers={"Retry-After": str(self.scenario.retry_after_s)},
            )
        if mode == "spam_filter" and self._count("spam") < self.scenario.rate_limit_times:
            return _send(handler, 200, {
                "status": "error", "message": "Rate limit exceeded",
                "tips": "you are sending same request multiple times, spam filter is enabled, please wait for 30 seconds and try again",
            })
        if self.scenario.queue_limit and self._unfinished() >= self.scenario.queue_limit:
            return _send(
                handler, 429,
                {"status": "error", "message": f"Rate limit exceeded. Maximum {self.scenario.queue_limit} queued requests allowed.", "retry_after": 1},
                headers={"Retry-After": str(self.scenario.retry_after_s)},
            )
        job = self._new_job(record.body)
        if mode in (
            "success", "result_404_first", "result_html", "result_huge", "result_not_audio", "rate_limit",
            "spam_filter", "slow_submit", "submit_server_error", "result_undecodable", "result_slow",
        ):
            job.ready_at = time.monotonic()
            return _send(handler, 200, self._success_body(job, handler))
        if mode == "links_only":
            job.ready_at = time.monotonic()
            return _send(handler, 200, {
                "generationTime": 0.24, "links": [self._result_url(handler, job)], "proxy_links": [],
                "meta": {"base64": "no", "temp": "no"}, "status": "success",
            })
        return _send(handler, 200, self._processing_body(job, handler, tier))

    def _validate(self, handler, record: RecordedRequest):
        """Mimic the real API's checks; returns (code, body) on a problem."""
        body = record.body
        if "application/json" not in handler.headers.get("Content-Type", ""):
            return 200, {"status": "error", "message": "Invalid Api Key", "tip": "Make sure you are passing Content-Type: application/json in header."}
        if not isinstance(body, dict) or not isinstance(body.get("key"), str) or body["key"] not in self.valid_keys:
            return 401, {"status": "error", "message": "Invalid Api Key"}
        if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
            return 200, {"status": "error", "message": {"prompt": ["The prompt field is required."]}}
        init_audio = body.get("init_audio")
        if init_audio is None:
            if not body.get("voice_id"):
                return 200, {"status": "error", "message": "init_audio or voice_id is required"}
            return None
        if body.get("base64") is not True and isinstance(init_audio, str):
            stored = self.voice_library._served_file(init_audio)  # a base64_to_url link it handed out
            if stored is None:
                return 200, {"status": "error", "message": "Unable to fetch audio from provided URL"}
            return _check_seconds(audio_seconds(stored))
        if body.get("base64") is not True or not isinstance(init_audio, str):
            return 200, {"status": "error", "message": "Unable to fetch audio from provided URL"}
        return self._check_data_uri(init_audio)

    def _check_data_uri(self, init_audio: str):
        header, _, payload = init_audio.partition(",")
        if header not in ("data:audio/wav;base64", "data:audio/mpeg;base64"):
            return 200, {"status": "error", "message": "init_audio must be a WAV or MP3 data URI"}
        try:
            audio = base64.b64decode(payload, validate=True)
        except ValueError:
            return 200, {"status": "error", "message": "init_audio is not valid base64"}
        return _check_seconds(audio_seconds(audio) if header.endswith("wav;base64") else 10.0)

    def _unfinished(self) -> int:
        now = time.monotonic()
        with self._lock:
            return sum(1 for job in self.jobs.values() if job.ready_at > now and not job.lost)

    def _new_job(self, body: dict) -> Job:
        job_id = str(next(self._ids))
        job = Job(job_id, str(body.get("track_id")), time.monotonic() + self.scenario.eta_s, body)
        scenario = self.scenario
        prompt = str(body.get("prompt", ""))
        if scenario.speech_cps > 0:
            job.seconds = max(0.3, sum(c.isalnum() for c in prompt) / scenario.speech_cps)
        else:
            job.seconds = scenario.result_seconds
        targeted = scenario.mode in LONG_TEXT_MODES and bool(scenario.target_text) and scenario.target_text in prompt
        if targeted and (not scenario.mode.endswith("_once") or self._count("targeted") == 0):
            job.lost = scenario.mode.startswith("drop")
            if scenario.mode.startswith("truncate"):
                job.seconds *= TRUNCATED_SHARE
        with self._lock:
            self.jobs[job_id] = job
        return job

    def _voice_sample(self, body: dict) -> bytes | None:
        """The sample a job was conditioned on: its base64 data URI, or the base64_to_url file it linked."""
        init_audio = str(body.get("init_audio") or "")
        if body.get("base64") is True:
            return base64.b64decode(init_audio.partition(",")[2])
        return self.voice_library._served_file(init_audio) if init_audio else None

    def _result_url(self, handler, job: Job) -> str:
        host = handler.headers.get("Host") or "%s:%s" % self._server.server_address[:2]
        return f"http://{host}/results/{job.job_id}.wav"

    def _success_body(self, job: Job, handler, *, id_as_string: bool = False) -> dict:
        url = self._result_url(handler, job)
        return {
            "status": "success", "generationTime": 1.43, "id": job.job_id if id_as_string else int(job.job_id),
            "output": [url], "proxy_links": [url],
            "meta": {"base64": "yes", "emotion": str(job.body.get("emotion", "neutral")).title(),
                     "language": job.body.get("language"), "temp": "no", "speed": 1},
        }

    def _processing_body(self, job: Job, handler, tier: str) -> dict:
        prefix = "/api/v6/voice" if tier == "v6" else "/api/v1/enterprise/voice"
        host = handler.headers.get("Host")
        url = self._result_url(handler, job)
        return {
            "status": "processing", "tip": "Your audio is processing in background, you can get this audio using fetch API",
            "eta": self.scenario.eta_s, "message": "Try to fetch request after seconds estimated",
            "fetch_result": f"http://{host}{prefix}/fetch/{job.job_id}", "id": int(job.job_id),
            "output": [], "future_links": [url], "proxy_links": [url], "meta": {"base64": "yes"},
        }

    def _fetch(self, handler, record: RecordedRequest, job_id: str) -> None:
        body = record.body
        if not isinstance(body, dict) or not isinstance(body.get("key"), str) or body["key"] not in self.valid_keys:
            return _send(handler, 401, {"status": "error", "message": "Invalid Api Key"})
        job = self.jobs.get(job_id)
        if job is None:
            return _send(handler, 200, {"status": "failed", "id": "", "message": "Request not found", "output": ""})
        with self._lock:
            job.fetches += 1
            job.fetch_times.append(time.monotonic())
        mode = self.scenario.mode
        if mode == "slow_fetch" and self._count("slow") < self.scenario.fail_times:
            self._stall()
        if mode == "server_error_then_ok" and self._count("5xx") < self.scenario.fail_times:
            code = self.scenario.status_code
            return _send_raw(handler, code, f"<html>{code} Service Unavailable</html>".encode(), "text/html")
        if mode == "fetch_html" and self._count("html") < self.scenario.fail_times:
            return _send_raw(handler, 200, b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "text/html")
        if mode == "fetch_truncated" and self._count("truncated") < self.scenario.fail_times:
            return _send_raw(handler, 200, b'{"status": "success", "id": 1, "output": ["ht', "application/json")
        if mode == "failed_then_ok" and self._count("failed") < self.scenario.fail_times:
            return _send(handler, 200, {"status": "failed", "id": "", "message": "Failed, Try Again", "output": ""})
        if job.lost:
            return _send(handler, 200, {"status": "failed", "id": job_id, "message": "Processing failed: the job was lost"})
        if mode == "failed_terminal":
            return _send(handler, 200, {"status": "failed", "id": job_id, "message": "Processing failed: speaker audio unusable"})
        if mode == "never_finishes" or time.monotonic() < job.ready_at:
            left = max(0, math.ceil(job.ready_at - time.monotonic())) if mode != "never_finishes" else 30
            return _send(handler, 200, {
                "status": "processing", "message": "try again later.", "output": "", "eta": left,
                "tip": "Get 20x faster image generation using enterprise plan.",
            })
        if job.reported_at is None:
            job.reported_at = time.monotonic()
        return _send(handler, 200, self._success_body(job, handler, id_as_string=(mode == "string_output")))

    def _result(self, handler, job_id: str) -> None:
        job = self.jobs.get(job_id)
        mode = self.scenario.mode
        if job is None:
            return _send_raw(handler, 404, b"Not found", "text/plain")
        job.downloads += 1
        if mode == "result_404_first" and self._count("404") < self.scenario.not_found_times:
            return _send_raw(handler, 404, b"<Error>NoSuchKey</Error>", "application/xml")
        if mode == "result_html":
            return _send_raw(handler, 200, b"<!doctype html><html>Access denied</html>", "text/html")
        if mode == "result_not_audio":
            return _send_raw(handler, 200, b"\x00\x01garbage" * 100, "audio/wav")
        if mode == "result_huge":
            return _send_raw(handler, 200, b"RIFF" + b"\0" * (60 * 1024 * 1024), "audio/wav")
        if mode == "result_undecodable":
            return _send_raw(handler, 200, undecodable_wav(), "audio/wav")
        if mode == "result_slow" and self._count("slow") < self.scenario.fail_times:
            self._stall()
        frequency = 200 + (int(job_id) % 40) * 10
        data = make_wav(job.seconds, frequency, comment=job_id)
        if self.scenario.echo_voice:
            data = echo_wav(self._voice_sample(job.body), job.seconds, job_id) or data
        if mode == "result_mp3":  # the API may answer with MP3 bytes behind any link
            data = wav_to_mp3(data)
        if job.delivered_at is None:
            job.delivered_at = time.monotonic()
        _send_raw(handler, 200, data, "audio/wav")


def _check_seconds(seconds: float | None):
    """The API's rule for a reference: 4-30 s; returns (code, body) on a problem."""
    if seconds is None or not 4.0 <= seconds <= 30.0:
        return 200, {"status": "error", "message": "Audio must be between 4 and 30 seconds"}
    return None


class _Abandoned(Exception):
    """A stalled request outlived its scenario: drop it."""


def _send(handler, code: int, payload: dict, headers: dict | None = None) -> None:
    _send_raw(handler, code, json.dumps(payload).encode(), "application/json", headers)


def _send_raw(handler, code: int, data: bytes, content_type: str, headers: dict | None = None) -> None:
    try:
        handler.send_response(code)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (e.g. the size cap): that is the point of the test
