"""The fault table: every way the ModelsLab side can go wrong, one row each, through the whole app.

Each row drives the public `/clone` endpoint with gradio_client against the loopback emulator and
asserts the outcome (success, or a gr.Error with a specific sentence), that no traceback and no key
reaches the caller, and how many requests were made (retries are bounded; a submit that may have
created a job is never repeated). Time is bounded by design, not by timed assertions: the app runs
with 1 s timeouts, a 6 s job deadline and a 5 MB download cap, so the slowest row takes seconds.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

import pytest
from gradio_client.exceptions import AppError

from components.modelslab.client import MAX_TRY_AGAIN_FAILURES, MAX_UNREADABLE_FETCHES
from tests.conftest import app_settings, free_port, running_app
from tests.fakes.modelslab_emulator import VALID_KEY, wav_comment

READ_TIMEOUT_S = 1.0
DEADLINE_S = 6.0
SLOW_S = 2.5  # longer than the read timeout
DOWNLOAD_CAP_MB = 5.0
SUBMIT_RETRY_CAP = 4  # first try + 3 (submit_retry: status=3 on 429)
FETCH_RETRY_CAP = 5  # first try + 4 (poll_retry: status=4, read=3)


@dataclass(frozen=True)
class Fault:
    """One row: the emulator scenario, and what the person must get."""

    name: str
    scenario: dict
    error: str | None = None
    """None: the clip arrives. Otherwise a regex the gr.Error text must match."""
    names_job: bool = False
    """The message must carry the job id (so the person can fetch it later)."""
    submissions: int | None = None
    """Exactly this many submits reached the API (None: not checked)."""
    min_submissions: int | None = None
    max_fetches: int | None = None
    min_fetches: int | None = None
    app: str = "emulator"
    """'emulator', or 'refused' for an app whose API port has nothing listening."""
    extra: dict = field(default_factory=dict)


FAULTS = [
    # -- timeouts --------------------------------------------------------------------------------
    Fault("submit times out", {"mode": "slow_submit", "delay_s": SLOW_S, "fail_times": 9},
          error=r"did not answer within 1 s\. The job may have been created: check your ModelsLab dashboard",
          submissions=1),  # never repeated: the first one may already be charging the account
    Fault("fetch times out once, then answers", {"mode": "slow_fetch", "delay_s": SLOW_S, "fail_times": 1, "eta_s": 0.2},
          min_fetches=2),
    Fault("fetch keeps timing out", {"mode": "slow_fetch", "delay_s": SLOW_S, "fail_times": 99, "eta_s": 0.2},
          error=r"did not answer within 1 s", names_job=True, submissions=1, max_fetches=FETCH_RETRY_CAP),
    Fault("result download times out once", {"mode": "result_slow", "delay_s": SLOW_S, "fail_times": 1}),
    # -- connection refused ------------------------------------------------------------------------
    Fault("connection refused", {}, error=r"Could not reach ModelsLab .*connection refused", app="refused"),
    # -- HTTP 5xx: never on submit (a job may exist), bounded with backoff on fetch ---------------
    *[
        Fault(f"submit HTTP {code}", {"mode": "submit_server_error", "status_code": code, "fail_times": 9},
              error=rf"server error \(HTTP {code}\)\. Try again in a minute", submissions=1)
        for code in (500, 502, 503)
    ],
    *[
        Fault(f"fetch HTTP {code} twice, then answers",
              {"mode": "server_error_then_ok", "status_code": code, "fail_times": 2, "eta_s": 0.2}, min_fetches=3)
        for code in (500, 502, 503)
    ],
    Fault("fetch HTTP 503 for ever", {"mode": "server_error_then_ok", "status_code": 503, "fail_times": 99, "eta_s": 0.2},
          error=r"server error \(HTTP 503\)", names_job=True, max_fetches=FETCH_RETRY_CAP,
          extra={"check_backoff": True}),
    # -- rate limits -------------------------------------------------------------------------------
    Fault("429 with Retry-After, then accepted", {"mode": "rate_limit", "rate_limit_times": 1, "retry_after_s": 1},
          submissions=2),
    # A full queue never fails a clip by itself: the part waits and is sent again, until the deadline.
    Fault("429 for ever", {"mode": "rate_limit", "rate_limit_times": 99, "retry_after_s": 0},
          error=r"queue for this key stayed full \(HTTP 429\) until the clip's deadline", min_submissions=SUBMIT_RETRY_CAP),
    Fault("legacy spam-filter body, then accepted", {"mode": "spam_filter", "rate_limit_times": 1}, submissions=2),
    Fault("legacy spam-filter body for ever", {"mode": "spam_filter", "rate_limit_times": 99},
          error=r"queue for this key stayed full \(HTTP 429\) until the clip's deadline", min_submissions=3),
    # -- bodies that say it failed -----------------------------------------------------------------
    Fault("HTTP 200 with status error", {"mode": "error_200"},
          error=r'refused the request: "Voice cloning server is overloaded"', submissions=1),
    Fault("failed + try again twice, then success", {"mode": "failed_then_ok", "fail_times": 2, "eta_s": 0.2},
          min_fetches=3),
    # A job the API accepted and then failed is sent once more (a new job), then the failure is shown.
    Fault("failed + try again for ever", {"mode": "failed_then_ok", "fail_times": 99, "eta_s": 0.2},
          error=r"could not finish the job \(job \d+\): \"Failed, Try Again\"", names_job=True,
          submissions=2, max_fetches=2 * (MAX_TRY_AGAIN_FAILURES + 1)),
    Fault("failed, terminal", {"mode": "failed_terminal", "eta_s": 0.2},
          error=r"could not finish the job \(job \d+\): \"Processing failed: speaker audio unusable\"",
          names_job=True, submissions=2, max_fetches=2),
    # -- bodies we cannot read ---------------------------------------------------------------------
    Fault("submit answers HTML", {"mode": "html"}, error=r"answered the submit with a web page instead of JSON",
          submissions=1),
    Fault("submit answers truncated JSON", {"mode": "truncated"},
          error=r"answered the submit with unreadable data instead of JSON", submissions=1),
    Fault("fetch answers HTML once, then JSON", {"mode": "fetch_html", "fail_times": 1, "eta_s": 0.2}, min_fetches=2),
    Fault("fetch answers HTML for ever", {"mode": "fetch_html", "fail_times": 99, "eta_s": 0.2},
          error=r"answered the fetch with a web page instead of JSON", names_job=True,
          max_fetches=MAX_UNREADABLE_FETCHES + 1),
    Fault("fetch answers truncated JSON for ever", {"mode": "fetch_truncated", "fail_times": 99, "eta_s": 0.2},
          error=r"answered the fetch with unreadable data instead of JSON", names_job=True,
          max_fetches=MAX_UNREADABLE_FETCHES + 1),
    # -- a job that never finishes -----------------------------------------------------------------
    Fault("processing for ever", {"mode": "never_finishes", "eta_s": 0.2},
          error=r"still processing after 6 s.*fetch it later with job id \d+", names_job=True,
          max_fetches=int(DEADLINE_S) + 2),  # about once a second, never faster
    # -- the result link ---------------------------------------------------------------------------
    Fault("result 404s at first, then works", {"mode": "result_404_first", "not_found_times": 2}),
    Fault("result is an HTML page", {"mode": "result_html"}, error=r"audio could not be downloaded: .*returned a web page"),
    Fault("result is bigger than the cap", {"mode": "result_huge"}, error=r"over the 5\.24288 MB cap"),
    Fault("result is not audio", {"mode": "result_not_audio"}, error=r"returned something that is not audio"),
    Fault("result looks like WAV but does not decode", {"mode": "result_undecodable"},
          error=r"looks like audio but could not be decoded"),
]


@pytest.fixture(scope="module")
def apps(emulator_server):
    """One app against the emulator and one whose API port refuses connections (small limits)."""
    limits = dict(read_timeout_s=READ_TIMEOUT_S, connect_timeout_s=READ_TIMEOUT_S,
                  job_deadline_s=DEADLINE_S, max_download_mb=DOWNLOAD_CAP_MB)
    with contextlib.ExitStack() as stack:
        started = {
            "emulator": stack.enter_context(running_app(app_settings(emulator_server, **limits))),
            "refused": stack.enter_context(running_app(app_settings(
                emulator_server, base_url=f"http://127.0.0.1:{free_port()}", **limits))),
        }
        for _, service in started.values():
            # The spam-filter pause is 5 s, 10 s in production; the row only needs its order and count.
            service.backends["modelslab"].client.rate_limit_pause_s = 0.1
        yield started


def clone(client):
    return client.predict(
        text="Hello from the fault table.", reference=None, voice_id="jacob", language="english",
        emotion="neutral", backend="modelslab", api_key="", api_name="/clone",
    )


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault(apps, emulator, fault: Fault):
    client, service = apps[fault.app]
    emulator.reset(**fault.scenario)
    if fault.error is None:
        audio_path, details = clone(client)
        with open(audio_path, "rb") as result:
            data = result.read()
        job_id = wav_comment(data)
        assert data[:4] == b"RIFF" and job_id and job_id in details, "the person's own clip arrived"
        assert "**Backend:** ModelsLab" in details
    else:
        with pytest.raises(AppError) as info:
            clone(client)
        message = str(info.value)
        assert re.search(fault.error, message), message
        assert "Traceback" not in message and 'File "' not in message
        assert VALID_KEY not in message
        if fault.names_job:
            job_ids = list(emulator.jobs)
            assert job_ids and job_ids[-1] in message, message
        assert not any(service.outputs.root.glob("*.part")), "no half-downloaded file left behind"
    submissions, fetches = len(emulator.submissions()), len(emulator.fetches())
    if fault.submissions is not None:
        assert submissions == fault.submissions
    if fault.min_submissions is not None:
        assert submissions >= fault.min_submissions
    if fault.max_fetches is not None:
        assert fetches <= fault.max_fetches
    if fault.min_fetches is not None:
        assert fetches >= fault.min_fetches
    if fault.extra.get("check_backoff"):
        gaps = [b.at - a.at for a, b in zip(emulator.fetches(), emulator.fetches()[1:])]
        assert gaps[-1] > gaps[0] + 0.5, f"retries back off: {gaps}"


def test_polling_is_never_faster_than_once_a_second(apps, emulator):
    client, _ = apps["emulator"]
    emulator.reset(mode="processing", eta_s=2.5)
    clone(client)
    (job,) = emulator.jobs.values()
    gaps = [b - a for a, b in zip(job.fetch_times, job.fetch_times[1:])]
    assert job.fetch_times[0] - job.submitted_at >= 2.0, "the first poll waits for the eta"
    assert all(gap >= 0.9 for gap in gaps), gaps
    assert job.delivered_at - job.ready_at < 1.5, "a finished job reaches the person within about a second"
