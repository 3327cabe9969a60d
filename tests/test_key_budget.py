"""The server-key budget on its own: a sliding hour, parts counted, refunds, clear messages, threads."""

from __future__ import annotations

import threading

import pytest

from components.errors import ServerKeyBudgetError
from components.key_budget import KeyBudget


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def budget(limit: int) -> tuple[KeyBudget, Clock]:
    clock = Clock()
    # Wall clock 2026-12-02 14:00:00 UTC, so the message's "at HH:MM UTC" is known.
    return KeyBudget(limit, clock=clock, wall_clock=lambda: 1796220000.0 + clock.now - 1000.0), clock


def test_the_cap_holds_and_says_when_and_what_to_do():
    keys, clock = budget(3)
    for _ in range(3):
        keys.spend()
    clock.now += 600  # 10 minutes later
    with pytest.raises(ServerKeyBudgetError) as refused:
        keys.spend()
    message = refused.value.user_message
    assert "made the 3 generations an hour it may make on the server's ModelsLab key" in message
    assert "room again in about 50 minutes (at 15:00 UTC)" in message
    assert "enter your own ModelsLab API key under Advanced" in message and "offline engine" in message
    assert refused.value.retry_after_s == pytest.approx(3000)


def test_the_window_slides():
    keys, clock = budget(2)
    keys.spend()
    clock.now += 1800
    keys.spend()
    clock.now += 1801  # the first has left the hour, the second has not
    keys.spend()
    with pytest.raises(ServerKeyBudgetError):
        keys.spend()
    assert keys.remaining() == 0


def test_parts_count_and_a_long_text_waits_for_enough_room():
    keys, clock = budget(5)
    keys.spend(2)
    clock.now += 60
    keys.spend(2)
    with pytest.raises(ServerKeyBudgetError) as refused:
        keys.spend(3)
    assert "This text needs 3 generations (one per part)" in refused.value.user_message
    assert "1 of its 5 an hour left" in refused.value.user_message
    assert refused.value.retry_after_s == pytest.approx(3600 - 60)  # the oldest 2 leave in 59 minutes
    keys.spend(1)
    assert keys.remaining() == 0


def test_a_text_bigger_than_the_hour_is_refused_with_no_wait():
    keys, _ = budget(5)
    with pytest.raises(ServerKeyBudgetError) as refused:
        keys.spend(6)
    assert refused.value.retry_after_s is None and "Shorten the text" in refused.value.user_message


def test_refund_gives_back_the_latest():
    keys, _ = budget(4)
    keys.spend(3)
    keys.refund(2)
    assert keys.remaining() == 3
    keys.refund(5)  # never below zero
    assert keys.remaining() == 4


def test_zero_means_no_cap():
    keys, _ = budget(0)
    for _ in range(1000):
        keys.spend(5)
    assert keys.remaining() is None


def test_many_threads_never_overspend():
    keys, _ = budget(100)
    admitted = []

    def worker():
        for _ in range(50):
            try:
                keys.spend()
                admitted.append(1)
            except ServerKeyBudgetError:
                pass

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 100 and keys.remaining() == 0
