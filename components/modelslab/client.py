"""ModelsLab voice-cloning client: submit, poll, download. No gradio here.

One client serves every visitor: the key is passed per call, never stored. HTTP details (sessions,
retries, parsing answers into errors) live in `transport` and `responses`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import requests

from components.errors import (
    ApiConnectionError,
    ApiProtocolError,
    ApiRateLimitError,
    ApiServerError,
    ApiTimeoutError,
)
from components.modelslab.download import ResultDownloader, split_url
from components.modelslab.responses import failure_error, naming_job
from components.modelslab.transport import (
    MAX_RETRY_AFTER_S,
    json_body,
    new_session,
    poll_retry,
    post_json,
    submit_retry,
)
from components.modelslab.types import JobState, PollUpdate, SubmitRequest
from components.secrets import redact

log = logging.getLogger(__name__)

ENDPOINT_PREFIX = {"enterprise": "/api/v1/enterprise/voice", "standard": "/api/v6/voice"}
POLL_INTERVAL_S = 1.0
FIRST_POLL_CAP_S = 10.0
MAX_TRY_AGAIN_FAILURES = 3
MAX_BODY_RATE_LIMIT_RETRIES = 2
BODY_RATE_LIMIT_PAUSE_S = 5.0
MAX_UNREADABLE_FETCHES = 3
"""Unreadable fetch bodies (an HTML error page, truncated JSON) tolerated per job: fetch is safe to repeat."""

__all__ = ["ModelsLabClient", "PollUpdate", "SubmitRequest", "json_body"]


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
        self._submit = submit_session or new_session(submit_retry())
        self._poll = poll_session or new_session(poll_retry())
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
            raise failure_error(state, api_key, stage="submit")
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
                    raise naming_job(err, job.job_id) from err
                log.debug("fetch %s: unreadable body (%d), polling again", job.job_id, unreadable)
                next_poll = self._clock() + POLL_INTERVAL_S
                continue
            except (ApiConnectionError, ApiServerError, ApiRateLimitError) as err:
                raise naming_job(err, job.job_id) from err
            next_poll = self._clock() + POLL_INTERVAL_S
            if state.eta_s is not None:
                eta_at = self._clock() + state.eta_s
            if state.status == "failed":
                if state.retryable_failure and tries_left > 0:
                    tries_left -= 1
                    log.debug("fetch %s: failed+try again, %d tries left", job.job_id, tries_left)
                    continue
                raise failure_error(state, api_key, stage="fetch", job_id=job.job_id)
        if not state.audio_urls and job.audio_urls:
            state = replace(state, audio_urls=job.audio_urls)  # e.g. links-only from the first answer
        return state

    def download(self, state: JobState, dest: Path) -> Path:
        """Download the finished audio (first URL that answers) to `dest`, with the extension its bytes call for."""
        return self.downloader.download(state.audio_urls, dest, job_id=state.job_id)

    def _post(self, session: requests.Session, url: str, body: dict, api_key: str, stage: str) -> JobState:
        state = post_json(session, url, body, api_key=api_key, stage=stage, timeout=self.timeout)
        if api_key and state.job_id and api_key in state.job_id:  # a job id is quoted in messages
            state = replace(state, job_id=redact(state.job_id, api_key))
        return state

    def post(self, url: str, body: dict, api_key: str, *, stage: str, repeatable: bool, parse: Callable):
        """One POST for another endpoint family (the voice library) on this client's transport.

        `repeatable` calls (listing, base64_to_url) get the poll session's retries; anything that
        creates something on the account gets the submit session's: repeated only when the server
        provably did nothing (429, connection refused).
        """
        session = self._poll if repeatable else self._submit
        return post_json(session, url, body, api_key=api_key, stage=stage, timeout=self.timeout, parse=parse)


def _same_origin(url: str, base_url: str) -> bool:
    theirs = split_url(url)
    return bool(theirs[1]) and theirs == split_url(base_url)
