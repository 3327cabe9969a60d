"""Helpers for tests and benches that run `python app.py` as a real process."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


def wait_for_http_200(
    url: str,
    process: subprocess.Popen,
    *,
    timeout_s: float,
    started: float | None = None,
    poll_s: float = 0.1,
    log: Path | None = None,
) -> float:
    """Poll `url` until it answers 200; return seconds since `started` (time.perf_counter()).

    Raises RuntimeError (with the tail of `log`, if given) when the process exits or time runs out.
    """
    started = time.perf_counter() if started is None else started
    while time.perf_counter() - started < timeout_s:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{process.args} exited with code {process.returncode} before serving\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(poll_s)
    raise RuntimeError(f"no HTTP 200 from {url} within {timeout_s:.0f} s")


def stop_app(process: subprocess.Popen, *, sig: int = signal.SIGTERM, grace_s: float = 30.0) -> None:
    """Ask the app to exit with `sig` (SIGINT is Ctrl-C); kill it if it has not within `grace_s`."""
    process.send_signal(sig)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
