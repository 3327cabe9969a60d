"""Per-visitor limit on generations, so a shared link cannot burn through someone's credits."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from components.errors import RateLimitedError

WINDOW_S = 60.0
MAX_VISITORS = 10_000


class RateLimiter:
    """Sliding one-minute window per visitor id; `per_minute=0` turns it off."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def check(self, visitor: str) -> None:
        """Record one generation for `visitor`, or raise RateLimitedError saying when to retry."""
        if self.per_minute <= 0:
            return
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(visitor, deque())
            while hits and now - hits[0] >= WINDOW_S:
                hits.popleft()
            if len(hits) >= self.per_minute:
                wait = WINDOW_S - (now - hits[0])
                raise RateLimitedError(
                    f"You have made {self.per_minute} generations in the last minute, the limit for "
                    f"this shared link. Try again in {max(1, round(wait))} s.",
                    retry_after_s=wait,
                )
            hits.append(now)
            if len(self._hits) > MAX_VISITORS:  # forget the quietest visitors first
                for stale in [v for v, h in self._hits.items() if not h or now - h[-1] >= WINDOW_S]:
                    del self._hits[stale]
