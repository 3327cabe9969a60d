"""The offline engine's line: first come first served, and each waiting person told their place."""

from __future__ import annotations

import threading
import time

from components.cpu_slots import CpuSlots


def test_waiters_are_told_their_place_and_served_in_order():
    slots = CpuSlots(1)
    order: list[int] = []
    heard: dict[int, list[str]] = {i: [] for i in range(4)}
    release = threading.Event()

    def clip(i: int) -> None:
        with slots.hold(heard[i].append):
            order.append(i)
            if i == 0:
                release.wait(5)

    threads = []
    for i in range(4):
        threads.append(threading.Thread(target=clip, args=(i,)))
        threads[-1].start()
        while slots.waiting() < i:  # each arrives after the previous is in line
            time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3]
    assert heard[0] == []  # the engine was free: no waiting message
    assert heard[3][0] == "Waiting for the offline engine: 3 clips ahead of yours, about 15 s…"
    places = [int(message.split(": ")[1].split(" ")[0]) for message in heard[3]]
    assert places == sorted(places, reverse=True), "the place only ever moves forward"
    assert heard[1] == ["Waiting for the offline engine: 1 clip ahead of yours, about 5 s…"]


def test_the_estimate_follows_measured_clips():
    now = [0.0]
    slots = CpuSlots(1, clock=lambda: now[0])
    for _ in range(2):
        with slots.hold(print):
            now[0] += 2.0
    assert slots.average_hold_s() == 2.0


def test_a_failed_clip_frees_the_engine():
    slots = CpuSlots(1)
    try:
        with slots.hold(print):
            raise RuntimeError("synthesis failed")
    except RuntimeError:
        pass
    done = threading.Event()
    threading.Thread(target=lambda: slots.hold(print).__enter__() or done.set()).start()
    assert done.wait(2)
