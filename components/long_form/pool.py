"""Parts made side by side: at most `max_parallel` at ModelsLab at once (its queue limit), or one by one.

Twice as many threads as API slots: a part that has come back is decoded and checked (CPU) while the
next part already holds its slot at the API, so each wave of parts starts as soon as the last ends.
The slots are handed out in text order (`OrderedGate`), so the first parts play first.
Results come back in the order they finish; the runner puts them in text order. Once a part fails
for good, `stop` is set: parts not yet sent are skipped (no more credits spent on a failed clip),
parts already in flight finish and are kept for the person to download.
"""

from __future__ import annotations

import contextlib
import heapq
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from components.long_form.parts import MadePart, PartJob

TICK_S = 1.0
"""While nothing finishes, the runner still hears from the pool this often (to show progress)."""


class OrderedGate:
    """At most `slots` holders at once; a freed slot goes to the waiting part earliest in the text
    (a plain semaphore lets whichever thread asks last barge in)."""

    def __init__(self, slots: int):
        self._free = max(1, slots)
        self._waiting: list[int] = []
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def slot(self, index: int):
        with self._changed:
            heapq.heappush(self._waiting, index)
            while not (self._free and self._waiting[0] == index):
                self._changed.wait()
            heapq.heappop(self._waiting)
            self._free -= 1
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._free += 1
                self._changed.notify_all()


@dataclass(frozen=True, slots=True)
class Finished:
    index: int
    made: MadePart | None = None
    error: Exception | None = None
    """None with made None: skipped, because another part had already failed."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """Nothing finished in the last TICK_S; `in_flight` parts are being made."""

    in_flight: int


def side_by_side(
    jobs: list[PartJob], make: Callable[[PartJob], MadePart], max_parallel: int, stop: threading.Event
) -> Iterator[Finished | Waiting]:
    """Make every job (`make` holds an OrderedGate(max_parallel) around its API call); yields each
    as it finishes, and Waiting ticks while none does."""
    results: queue.Queue[Finished] = queue.Queue()
    running = [0]
    lock = threading.Lock()

    def work(job: PartJob) -> None:
        if stop.is_set():
            results.put(Finished(job.index))
            return
        with lock:
            running[0] += 1
        try:
            results.put(Finished(job.index, made=make(job)))
        except Exception as err:  # noqa: BLE001 - handed to the runner, which names the part
            results.put(Finished(job.index, error=err))
        finally:
            with lock:
                running[0] -= 1

    pool = ThreadPoolExecutor(max_workers=max(1, min(2 * max_parallel, len(jobs))), thread_name_prefix="part")
    try:
        for job in jobs:
            pool.submit(work, job)
        left = len(jobs)
        while left:
            try:
                item = results.get(timeout=TICK_S)
            except queue.Empty:
                yield Waiting(running[0])
                continue
            left -= 1
            yield item
    finally:
        stop.set()  # the clip is done or abandoned (e.g. the visitor left): send nothing more
        pool.shutdown(wait=False, cancel_futures=True)


def one_by_one(jobs: list[PartJob], make: Callable[[PartJob], MadePart], stop: threading.Event) -> Iterator[Finished]:
    """The offline engine is one CPU slot: parts are made in text order, each as soon as the last is done."""
    for job in jobs:
        if stop.is_set():
            yield Finished(job.index)
            continue
        try:
            yield Finished(job.index, made=make(job))
        except Exception as err:  # noqa: BLE001 - handed to the runner, which names the part
            stop.set()
            yield Finished(job.index, error=err)
