"""A first-come line for CPU-bound work, that tells each waiting person their place and the wait.

The offline engine makes one clip at a time (it uses both cores). Gradio's queue cannot show that
line: the page's events run side by side in the "clone" group (ModelsLab jobs are network-bound),
and the offline ones then wait here, inside their handler. So this line reports like Gradio's queue
does: "2 clips ahead of yours, about 8 s", from the average time a clip has held the engine.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

Report = Callable[[str], None]
FIRST_ESTIMATE_S = 5.0
"""Assumed time per clip until one has been timed (an offline clip of a sentence or two)."""


def _seconds_words(seconds: float) -> str:
    return f"about {max(1, round(seconds))} s" if seconds < 90 else f"about {round(seconds / 60)} min"


class CpuSlots:
    """`with slots.hold(report):` waits its turn (in arrival order), reporting the place while it waits."""

    def __init__(self, slots: int = 1, clock: Callable[[], float] = time.monotonic):
        self.slots = slots
        self._clock = clock
        self._turn = threading.Condition()
        self._busy = 0
        self._line: list[object] = []  # tickets of those waiting, first come first
        self._held_total, self._held_count = 0.0, 0

    def average_hold_s(self) -> float:
        with self._turn:
            return self._held_total / self._held_count if self._held_count else FIRST_ESTIMATE_S

    def waiting(self) -> int:
        with self._turn:
            return len(self._line)

    @contextlib.contextmanager
    def hold(self, report: Report) -> Iterator[None]:
        self._wait_for_turn(report)
        started = self._clock()
        try:
            yield
        finally:
            with self._turn:
                self._busy -= 1
                self._held_total += self._clock() - started
                self._held_count += 1
                self._turn.notify_all()

    def _wait_for_turn(self, report: Report) -> None:
        ticket = object()
        with self._turn:
            self._line.append(ticket)
            told = None
            while not (self._busy < self.slots and self._line[0] is ticket):
                ahead = self._line.index(ticket) + self._busy
                if ahead != told:  # say it again only when the place changes
                    report(self._place_words(ahead))
                    told = ahead
                self._turn.wait(timeout=1.0)
            self._line.pop(0)
            self._busy += 1
            self._turn.notify_all()

    def _place_words(self, ahead: int) -> str:
        average = self._held_total / self._held_count if self._held_count else FIRST_ESTIMATE_S
        wait = average * ahead / self.slots
        clips = "1 clip" if ahead == 1 else f"{ahead} clips"
        return f"Waiting for the offline engine: {clips} ahead of yours, {_seconds_words(wait)}…"
