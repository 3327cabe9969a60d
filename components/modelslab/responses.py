"""ModelsLab's answers -> a JobState or the ApiError that says what to do. Keys are redacted from messages."""

from __future__ import annotations

import json
from typing import Any

import requests

from components.errors import (
    ApiAuthError,
    ApiError,
    ApiProtocolError,
    ApiRateLimitError,
    ApiServerError,
    JobFailedError,
)
from components.modelslab.types import JobState
from components.secrets import redact


def parse_response(response: requests.Response, api_key: str, stage: str) -> JobState:
    """Turn an HTTP response into a JobState, or the ApiError its status/body calls for."""
    return JobState.from_json(checked_payload(response, api_key, stage))


def checked_payload(response: requests.Response, api_key: str, stage: str) -> Any:
    """The decoded JSON body of an answer whose HTTP status is usable; else the ApiError it calls for.

    Shared by every endpoint (jobs and voices): the status codes and non-JSON answers mean the same
    everywhere; what a good body holds is each endpoint's own parser's business.
    """
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
    return payload


def failure_error(state: JobState, api_key: str, *, stage: str, job_id: str | None = None) -> ApiError:
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


def naming_job(err: ApiError, job_id: str | None) -> ApiError:
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
