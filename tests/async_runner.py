"""Run a coroutine to completion on its own event loop in its own thread.

Playwright's sync API (the browser tests, session-scoped) leaves an event loop running in the main
thread, where `asyncio.run` then refuses to start; a worker thread has no loop of its own yet.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_in_own_loop(coroutine):
    """`asyncio.run(coroutine)` in a fresh thread; returns its result or raises its exception."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
