"""ModelsLab voice-cloning HTTP client: submit, poll, download. No gradio here.

Retries follow one rule: repeat only what cannot charge the account twice. A submit is repeated
only when the server provably created no job (429, connection refused); fetch and download are
safe to repeat on network errors, 5xx and "failed ... try again".
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from components.data_uri import DataUri
from components.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiProtocolError,
    ApiRateLimitError,
    ApiServerError,
    ApiTimeoutError,
    JobFailedError,
)
from components.modelslab_download import ResultDownloader, split_url
from components.modelslab_types import JobState
from components.secrets import redact

log = logging.getLogger(__name__)

ENDPOINT_PREFIX = {"enterprise": "/api/v1/enterprise/voice", "standard": "/api/v6/voice"}
POLL_INTERVAL_S = 1.0
FIRST_POLL_CAP_S = 10.0
MAX_RETRY_AFTER_S = 60
MAX_TRY_AGAIN_FAILURES = 3
MAX_BODY_RATE_LIMIT_RETRIES = 2
BODY_RATE_LIMIT_PAUSE_S = 5.0
MAX_UNREADABLE_FETCHES = 3
"""Unreadable fetch bodies (an HTML error page, truncated JSON) tolerated per job: fetch is safe to repeat."""
USER_AGENT = "voice-clone-studio/1.0"
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    """What we ask ModelsLab to say, and in which voice."""

    prompt: str
    language: str = "english"
    emotion: str = "neutral"
    init_audio: str | None = field(default=None, repr=False)
    """A data URI (base64) of the prepared reference; None when cloning a stored voice_id."""
    voice_id: str = ""
    temp: bool = False
    track_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_json(self, api_key: str, tier: str) -> dict:
        """The request body; `emotion` is sent on the enterprise tier, and on standard only if not neutral."""
        body: dict = {"key": api_key, "prompt": self.prompt, "language": self.language}
        if self.init_audio:
            body["init_audio"] = self.init_audio
            body["base64"] = True
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


class CappedRetry(Retry):
    """urllib3 Retry that never waits longer than MAX_RETRY_AFTER_S for a Retry-After."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("retry_after_max", MAX_RETRY_AFTER_S)
        super().__init__(*args, **kwargs)


def _session(retry: Retry) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=8, pool_maxsize=64)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    return session


def submit_retry() -> Retry:
    """Submit: connection errors before the request was sent, and 429, nothing else."""
    return CappedRetry(
        total=4, connect=3, read=0, other=0, status=3, status_forcelist=(429,),
        allowed_methods=None, backoff_factor=0.5, backoff_max=8, backoff_jitter=0.25,
        raise_on_status=False,
    )


def poll_retry() -> Retry:
    """Fetch and download are safe to repeat: network errors, 429 and 5xx, with backoff."""
    return CappedRetry(
        total=5, connect=4, read=3, other=2, status=4,
        status_forcelist=(408, 429, 500, 502, 503, 504), allowed_methods=None,
        backoff_factor=0.5, backoff_max=8, backoff_jitter=0.25, raise_on_status=False,
    )


class ModelsLabClient:
    """One shared client for all visitors: the key is passed per call and never stored."""

    def __init__(
        self,
        *,
        base_url: str,
        tier: str = "enterprise",
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 60.0,
        job_deadline_s: float = 600.0,
        max_download_bytes: int = 50 * 1024 * 1024,
        submit_session: requests.Session | None = None,
        poll_session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.base_url = base_url.rstrip("/")
        self.tier = tier
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.job_deadline_s = job_deadline_s
        self._submit = submit_session or _session(submit_retry())
        self._poll = poll_session or _session(poll_retry())
        self._sleep = sleep
        self._clock = clock
        self.rate_limit_pause_s = BODY_RATE_LIMIT_PAUSE_S
        """First wait after a legacy spam-filter body (doubles, capped at MAX_RETRY_AFTER_S)."""
        self.downloader = ResultDownloader(
            self._poll,
            timeout=self.timeout,
            max_bytes=max_download_bytes,
            allow_http=self.base_url.lower().startswith("http://"),
            sleep=sleep,
            clock=clock,
        )

    # -- endpoints ---------------------------------------------------------------------------
    def endpoint(self, name: str, tier: str | None = None) -> str:
        return f"{self.base_url}{ENDPOINT_PREFIX[tier or self.tier]}/{name}"

    def fetch_url_for(self, job: JobState, tier: str | None = None) -> str:
        """Where to poll: the body's fetch_result if it is on our API host, else the documented path.

        The key travels in the body of every fetch, so it is only ever sent to MODELSLAB_BASE_URL's host.
        """
        if job.fetch_url and _same_origin(job.fetch_url, self.base_url):
            return job.fetch_url
        if not job.job_id:
            raise ApiProtocolError(
                "ModelsLab queued the job but gave no id to follow it with. Try again.",
            )
        return self.endpoint(f"fetch/{job.job_id}", tier)

    # -- calls ---------------------------------------------------------------------------------
    def submit(self, request: SubmitRequest, api_key: str, tier: str | None = None) -> JobState:
        """POST text_to_audio. Returns the first state (success or processing); raises ApiError."""
        tier = tier or self.tier
        body = request.to_json(api_key, tier)
        for attempt in range(MAX_BODY_RATE_LIMIT_RETRIES + 1):
            state = self._post(self._submit, self.endpoint("text_to_audio", tier), body, api_key, "submit")
            # The legacy spam-filter body arrives as status:error: no job exists, so waiting is safe.
            if state.is_rate_limit and attempt < MAX_BODY_RATE_LIMIT_RETRIES:
                log.debug("submit: rate-limit body, attempt %d; waiting", attempt + 1)
                self._sleep(min(self.rate_limit_pause_s * (attempt + 1), MAX_RETRY_AFTER_S))
                continue
            break
        if state.status == "failed":
            raise _failure_error(state, api_key, stage="submit")
        return state

    def fetch(self, job: JobState, api_key: str, tier: str | None = None) -> JobState:
        """POST the job's fetch URL once (retried by the session on network errors / 5xx)."""
        return self._post(self._poll, self.fetch_url_for(job, tier), {"key": api_key}, api_key, "fetch")

    def wait_for_result(
        self,
        job: JobState,
        api_key: str,
        *,
        tier: str | None = None,
        on_update: Callable[[PollUpdate], None] | None = None,
    ) -> JobState:
        """Poll until success, failure or the deadline (which names the job id)."""
        started = self._clock()
        deadline = started + self.job_deadline_s
        eta_at = started + job.eta_s if job.eta_s is not None else None
        polls = unreadable = 0
        tries_left = MAX_TRY_AGAIN_FAILURES
        first_wait = min(job.eta_s, FIRST_POLL_CAP_S) if job.eta_s is not None else POLL_INTERVAL_S
        next_poll = started + first_wait
        state = job
        while state.status != "success":
            now = self._clock()
            if on_update:
                left = max(0.0, eta_at - now) if eta_at is not None else None
                on_update(PollUpdate(job.job_id, polls, now - started, left))
            if now >= deadline:
                raise ApiTimeoutError(
                    f"ModelsLab job {job.job_id or '(no id)'} was still processing after "
                    f"{self.job_deadline_s:.0f} s, so we stopped waiting. It may still finish: "
                    f"fetch it later with job id {job.job_id}, or try again.",
                    job_id=job.job_id,
                )
            if now < next_poll:
                self._sleep(min(next_poll - now, POLL_INTERVAL_S, deadline - now))
                continue
            polls += 1
            try:
                state = self.fetch(job, api_key, tier)
            except ApiProtocolError as err:
                unreadable += 1
                if unreadable > MAX_UNREADABLE_FETCHES:
                    raise _naming_job(err, job.job_id) from err
                log.debug("fetch %s: unreadable body (%d), polling again", job.job_id, unreadable)
                next_poll = self._clock() + POLL_INTERVAL_S
                continue
            except (ApiConnectionError, ApiServerError, ApiRateLimitError) as err:
                raise _naming_job(err, job.job_id) from err
            next_poll = self._clock() + POLL_INTERVAL_S
            if state.eta_s is not None:
                eta_at = self._clock() + state.eta_s
            if state.status == "failed":
                if state.retryable_failure and tries_left > 0:
                    tries_left -= 1
                    log.debug("fetch %s: failed+try again, %d tries left", job.job_id, tries_left)
                    continue
                raise _failure_error(state, api_key, stage="fetch", job_id=job.job_id)
        if not state.audio_urls and job.audio_urls:
            state = replace(state, audio_urls=job.audio_urls)  # e.g. links-only from the first answer
        return state

    def download(self, state: JobState, dest: Path) -> Path:
        """Download the finished audio (first URL that answers) to `dest`, with the extension its bytes call for."""
        return self.downloader.download(state.audio_urls, dest, job_id=state.job_id)

    # -- plumbing ------------------------------------------------------------------------------
    def _post(
        self, session: requests.Session, url: str, body: dict, api_key: str, stage: str
    ) -> JobState:
        host = split_url(url)[1]
        try:
            try:
                response = session.post(url, data=json_body(body), headers=JSON_HEADERS, timeout=self.timeout)
            except requests.exceptions.ConnectionError as err:
                raise _unwrap_retried(err) from err
        except requests.exceptions.ConnectTimeout as err:
            raise ApiTimeoutError(
                f"Could not connect to ModelsLab ({host}) within {self.timeout[0]:g} s. "
                "Check the network, then try again."
            ) from err
        except requests.exceptions.ReadTimeout as err:
            hint = (
                " The job may have been created: check your ModelsLab dashboard before retrying."
                if stage == "submit"
                else " Try again in a minute."
            )
            raise ApiTimeoutError(
                f"ModelsLab ({host}) did not answer within {self.timeout[1]:g} s.{hint}"
            ) from err
        except requests.exceptions.RetryError as err:
            raise ApiServerError(
                f"ModelsLab ({host}) kept failing after several retries. Try again in a minute."
            ) from err
        except requests.exceptions.RequestException as err:
            raise ApiConnectionError(
                f"Could not reach ModelsLab ({host}): {_network_reason(err)}. "
                "Check the network or MODELSLAB_BASE_URL, then try again."
            ) from err
        log.debug("%s %s -> HTTP %s", stage, url, response.status_code)
        return _parse(response, api_key, stage)


def json_body(body: dict) -> bytes:
    """The request body as JSON bytes, with a reference's DataUri spliced in, not encoded.

    The encoder scans each character of a 640 KB data URI for escapes: ~3.5 ms holding the GIL on
    every submit, which under a burst of visitors delays everyone's page. A DataUri has nothing to
    escape (see its class); any other value goes through the encoder.
    """
    audio = body.get("init_audio")
    if not isinstance(audio, DataUri):
        return json.dumps(body, allow_nan=False).encode()
    rest = json.dumps({k: v for k, v in body.items() if k != "init_audio"}, allow_nan=False)
    joint = b", " if rest != "{}" else b""
    return b"".join((rest[:-1].encode(), joint, b'"init_audio": "', audio.encode("ascii"), b'"}'))


def _parse(response: requests.Response, api_key: str, stage: str) -> JobState:
    """Turn an HTTP response into a JobState, or the ApiError its status/body calls for."""
    code = response.status_code
    try:
        payload = response.json()
    except (ValueError, json.JSONDecodeError):
        payload = None
    server_message = ""
    if isinstance(payload, dict):
        try:
            server_message = JobState.from_json(payload).message
        except ApiProtocolError:
            server_message = ""
    said = f' ModelsLab said: "{redact(server_message, api_key)}"' if server_message else ""
    if code in (401, 403):
        raise ApiAuthError(
            f"ModelsLab rejected the API key (HTTP {code}).{said} Check the key, then try again.",
            status_code=code, server_message=server_message or None,
        )
    if code == 402:
        raise ApiError(
            f"ModelsLab says the account has no credits left (HTTP 402).{said} "
            "Add credits, or use the offline backend.",
            status_code=code, server_message=server_message or None,
        )
    if code == 429:
        raise ApiRateLimitError(
            f"ModelsLab is rate-limiting this key (HTTP 429).{said} Wait a minute, then try again.",
            status_code=code, server_message=server_message or None,
        )
    if code >= 500:
        raise ApiServerError(
            f"ModelsLab had a server error (HTTP {code}).{said} Try again in a minute.",
            status_code=code, server_message=server_message or None,
        )
    if payload is None:
        kind = "a web page" if "html" in response.headers.get("Content-Type", "").lower() else "unreadable data"
        raise ApiProtocolError(
            f"ModelsLab answered the {stage} with {kind} instead of JSON (HTTP {code}). "
            "Try again in a minute; check MODELSLAB_BASE_URL if it persists.",
            status_code=code,
        )
    if code >= 400 and not (isinstance(payload, dict) and payload.get("status")):
        raise ApiError(
            f"ModelsLab refused the request (HTTP {code}).{said} Check the inputs, then try again.",
            status_code=code, server_message=server_message or None,
        )
    return JobState.from_json(payload)


def _failure_error(state: JobState, api_key: str, *, stage: str, job_id: str | None = None) -> ApiError:
    """The right exception for a status:error / status:failed body."""
    message = redact(state.message, api_key) or "no reason given"
    job = job_id or state.job_id
    job_text = f" (job {job})" if job else ""
    if state.is_auth_error:
        return ApiAuthError(
            f'ModelsLab rejected the API key: "{message}". Check the key, then try again.',
            server_message=state.message, job_id=job,
        )
    if state.is_rate_limit:
        return ApiRateLimitError(
            f'ModelsLab is rate-limiting this key: "{message}". Wait a minute, then try again.',
            server_message=state.message, job_id=job,
        )
    verb = "refused the request" if stage == "submit" else "could not finish the job"
    return JobFailedError(
        f'ModelsLab {verb}{job_text}: "{message}". Check the inputs, then press Generate to try again.',
        server_message=state.message, job_id=job,
    )


def _unwrap_retried(err: requests.exceptions.ConnectionError) -> requests.exceptions.RequestException:
    """After urllib3 used up its retries, requests reports every cause as ConnectionError; restore
    the timeout kinds so the person is told "did not answer within N s" rather than "network error"."""
    reason = err.args[0].reason if err.args and isinstance(err.args[0], MaxRetryError) else None
    if isinstance(reason, ConnectTimeoutError) and not isinstance(reason, NewConnectionError):
        return requests.exceptions.ConnectTimeout(*err.args, request=err.request)
    if isinstance(reason, ReadTimeoutError):
        return requests.exceptions.ReadTimeout(*err.args, request=err.request)
    return err


def _naming_job(err: ApiError, job_id: str | None) -> ApiError:
    """The same error, its message extended with the job id so the person can fetch it later."""
    if not job_id or job_id in err.user_message:
        return err
    message = (
        f"{err.user_message} (While checking on job {job_id}: it may still finish; "
        f"fetch it later with job id {job_id}.)"
    )
    return type(err)(
        message, status_code=err.status_code, server_message=err.server_message, job_id=job_id
    )


def _same_origin(url: str, base_url: str) -> bool:
    theirs = split_url(url)
    return bool(theirs[1]) and theirs == split_url(base_url)




def _network_reason(err: Exception) -> str:
    text = str(err).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "resolve" in text or "nodename" in text:
        return "the host name could not be resolved"
    if "reset" in text:
        return "the connection was reset"
    if "ssl" in text or "certificate" in text:
        return "a TLS/certificate problem"
    return "a network error"
