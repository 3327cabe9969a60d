"""HTTP plumbing for the ModelsLab client: sessions, retry policies, the JSON body and one POST.

Retries follow one rule: repeat only what cannot charge the account twice. A submit is repeated
only when the server provably created no job (429, connection refused); fetch and download are
safe to repeat on network errors, 5xx and "failed ... try again".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from components.audio.data_uri import DataUri
from components.errors import ApiConnectionError, ApiServerError, ApiTimeoutError
from components.modelslab.download import split_url
from components.modelslab.responses import parse_response

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_RETRY_AFTER_S = 60
USER_AGENT = "voice-clone-studio/1.0"
JSON_HEADERS = {"Content-Type": "application/json"}


class CappedRetry(Retry):
    """urllib3 Retry that never waits longer than MAX_RETRY_AFTER_S for a Retry-After."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("retry_after_max", MAX_RETRY_AFTER_S)
        super().__init__(*args, **kwargs)


def new_session(retry: Retry) -> requests.Session:
    """A pooled session with `retry` on both schemes: one per kind of call, shared by all visitors."""
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


def post_json(
    session: requests.Session,
    url: str,
    body: dict,
    *,
    api_key: str,
    stage: str,
    timeout: tuple[float, float],
    parse: Callable[[requests.Response, str, str], T] = parse_response,
) -> T:
    """POST a JSON body and parse the answer (a JobState unless `parse` says otherwise); every
    network failure becomes the ApiError that names it."""
    host = split_url(url)[1]
    try:
        try:
            response = session.post(url, data=json_body(body), headers=JSON_HEADERS, timeout=timeout)
        except requests.exceptions.ConnectionError as err:
            raise _unwrap_retried(err) from err
    except requests.exceptions.ConnectTimeout as err:
        raise ApiTimeoutError(
            f"Could not connect to ModelsLab ({host}) within {timeout[0]:g} s. "
            "Check the network, then try again."
        ) from err
    except requests.exceptions.ReadTimeout as err:
        hint = (
            " The job may have been created: check your ModelsLab dashboard before retrying."
            if stage == "submit"
            else " Try again in a minute."
        )
        raise ApiTimeoutError(
            f"ModelsLab ({host}) did not answer within {timeout[1]:g} s.{hint}"
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
    return parse(response, api_key, stage)


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


def _unwrap_retried(err: requests.exceptions.ConnectionError) -> requests.exceptions.RequestException:
    """After urllib3 used up its retries, requests reports every cause as ConnectionError; restore
    the timeout kinds so the person is told "did not answer within N s" rather than "network error"."""
    reason = err.args[0].reason if err.args and isinstance(err.args[0], MaxRetryError) else None
    if isinstance(reason, ConnectTimeoutError) and not isinstance(reason, NewConnectionError):
        return requests.exceptions.ConnectTimeout(*err.args, request=err.request)
    if isinstance(reason, ReadTimeoutError):
        return requests.exceptions.ReadTimeout(*err.args, request=err.request)
    return err


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
