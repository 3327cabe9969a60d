"""One OpenBLAS thread for the whole process, set once, before the first model runs.

Why: numpy's matrix products here are small (a mel filterbank, a few spectra), and after each one
OpenBLAS keeps its idle worker threads spinning for a while. On the 2 cores of a free Space they
then compete with the onnxruntime threads that run next (the speaker encoder, Piper). Measured
(bench/voice_match.py, a 10 s clip, quiet machine): the voice-match score took 156-172 ms wall and
283-298 ms CPU with OpenBLAS's default threads, 106-110 ms and 183-191 ms with one. Parallelism
here comes from visitors and from onnxruntime, not from BLAS.

May import: threadpoolctl (the maintained way to set BLAS threads after numpy is loaded).
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_applied = False


def use_one_blas_thread() -> None:
    """Limit numpy's BLAS to one thread (idempotent, thread-safe, ~10 ms the first time)."""
    global _applied
    if _applied:
        return
    with _lock:
        if _applied:
            return
        try:
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=1, user_api="blas")
        except Exception as err:  # noqa: BLE001 - a speed setting must never stop the app
            logger.warning("could not limit BLAS threads: %s", err)
        _applied = True
