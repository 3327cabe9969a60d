"""A spending guard for the server's own ModelsLab key: so many generations an hour, all visitors together.

The per-visitor limit stops one person hammering the link; it does not stop a link shared with a
thousand people from spending the key's credits in an afternoon. This budget counts every part sent
on the server's key in a sliding hour (a long text counts each of its parts). A visitor's own key and
the offline engine never count. When it is spent, the message says when there is room again and
that a visitor can go on with their own key (under Advanced) or the offline engine.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from components.errors import ServerKeyBudgetError

WINDOW_S = 3600.0
ADVICE = (
    "enter your own ModelsLab API key under Advanced (your clips then use your own credits), "
    "or choose the offline engine there."
)


def _wait_words(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "about a minute" if minutes == 1 else f"about {minutes} minutes"


def _clock_words(epoch_s: float) -> str:
    return time.strftime("%H:%M UTC", time.gmtime(epoch_s))


class KeyBudget:
    """`spend(parts)` before sending work on the server's key; `refund(parts)` when none was sent.

    `max_per_hour=0` turns the cap off. Thread-safe: every visitor's call goes through one instance.
    """

    def __init__(
        self,
        max_per_hour: int,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ):
        self.max_per_hour = max_per_hour
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._spent: deque[tuple[float, int]] = deque()  # (when, parts), oldest first
        self._total = 0

    def spend(self, parts: int = 1) -> None:
        """Count `parts` generations now, or raise ServerKeyBudgetError saying when there is room."""
        parts = max(1, int(parts))
        if self.max_per_hour <= 0:
            return
        with self._lock:
            now = self._clock()
            self._forget_before(now - WINDOW_S)
            if self._total + parts > self.max_per_hour:
                raise self._refusal(now, parts)
            self._spent.append((now, parts))
            self._total += parts

    def refund(self, parts: int = 1) -> None:
        """Give back the most recent `parts` (their work never reached ModelsLab)."""
        parts = max(1, int(parts))
        with self._lock:
            while parts > 0 and self._spent:
                when, spent = self._spent.pop()
                back = min(parts, spent)
                parts -= back
                self._total -= back
                if spent > back:
                    self._spent.append((when, spent - back))

    def remaining(self) -> int | None:
        """Generations left in the current hour; None when there is no cap."""
        if self.max_per_hour <= 0:
            return None
        with self._lock:
            self._forget_before(self._clock() - WINDOW_S)
            return self.max_per_hour - self._total

    def _forget_before(self, horizon: float) -> None:
        while self._spent and self._spent[0][0] <= horizon:
            self._total -= self._spent.popleft()[1]

    def _refusal(self, now: float, parts: int) -> ServerKeyBudgetError:
        limit = self.max_per_hour
        if parts > limit:
            return ServerKeyBudgetError(
                f"This text needs {parts} generations (one per part), more than this shared link may make "
                f"on its own ModelsLab key in an hour ({limit}). Shorten the text, or {ADVICE}",
                retry_after_s=None,
            )
        freed, wait = 0, WINDOW_S
        for when, spent in self._spent:  # oldest first: the hour frees them in this order
            freed += spent
            if self._total - freed + parts <= limit:
                wait = when + WINDOW_S - now
                break
        at = _clock_words(self._wall_clock() + wait)
        if parts == 1:
            used = (
                f"This shared link has made the {limit} generations an hour it may make on the "
                "server's ModelsLab key."
            )
        else:
            used = (
                f"This text needs {parts} generations (one per part), and this shared link has "
                f"{max(0, limit - self._total)} of its {limit} an hour left on the server's ModelsLab key."
            )
        return ServerKeyBudgetError(
            f"{used} There is room again in {_wait_words(wait)} (at {at}). To go on now, {ADVICE}",
            retry_after_s=wait,
        )
