"""One part, made and checked: a 429 waits and sends the part again; a failed job, or a part whose
length does not fit its text, is made once more; anything else fails the part.

Why these retries and no others: a 429 means the account's queue is full and no job was created,
so waiting costs nothing and the clip must not fail for it. A job the API accepted and then reported
failed, or audio far too short for its text (words dropped), is worth one more request. Auth errors,
refusals of the inputs and timeouts would fail again, or could charge twice: they fail the part.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from components.backends import CloneRequest, CloneResult
from components.errors import ApiRateLimitError, JobFailedError
from components.script import Part
from components.script.pace import speech_seconds
from components.stitch import PreparedPart, judge_duration, prepare_part, read_audio

log = logging.getLogger(__name__)

QUEUE_FULL_WAITS_S = (5.0, 10.0, 20.0, 30.0)
"""Waits after a 429 that outlasted the client's own retries (the last repeats until the deadline)."""
LABEL_CHARS = 40


@dataclass(frozen=True, slots=True)
class PartJob:
    index: int
    """0-based position in the text."""
    total: int
    part: Part
    request: CloneRequest
    """What to send for this part: its text, its voice, its emotion."""

    @property
    def label(self) -> str:
        """'part 3 of 20 (“The quick brown fox…”)' for messages."""
        text = self.part.text
        short = text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS].rstrip() + "…"
        return f"part {self.index + 1} of {self.total} (“{short}”)"


@dataclass(frozen=True, slots=True)
class MadePart:
    index: int
    path: Path
    """The part as generated (downloaded), kept for download if the clip fails."""
    prepared: PreparedPart | None
    """Its samples, trimmed and leveled (None once they are in the clip)."""
    job_id: str | None
    problem: str | None = None
    """Why its length still does not fit its text after the retry (it is kept, and named)."""
    remade: str | None = None
    """Why it was made a second time, if it was."""
    queue_waits: int = 0
    result: CloneResult | None = None
    """What the backend said about it (job id, tier, voice notes, timings)."""
    raw_seconds: float = 0.0
    """Its length as generated, before trimming."""


class PartMaker:
    """Makes parts with `generate` (a backend's), retrying as the module says; shared by a clip's threads."""

    def __init__(
        self,
        generate: Callable[[CloneRequest], CloneResult],
        language: str,
        *,
        remake: bool,
        deadline: float,
        stop: threading.Event | None = None,
        notify: Callable[[str], None] | None = None,
        queue_waits_s: tuple[float, ...] = QUEUE_FULL_WAITS_S,
        gate=None,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._generate = generate
        self._language = language
        self._remake = remake
        """Offline synthesis is deterministic: making a part again would give the same audio."""
        self._deadline = deadline
        self._stop = stop or threading.Event()
        self._sleep = sleep or self._stop.wait
        """Waits end early when the clip is given up (another part failed for good)."""
        self._clock = clock
        self._notify = notify or (lambda message: None)
        self._queue_waits_s = queue_waits_s
        self._gate = gate
        """An OrderedGate held while a part is at the API (not while it is decoded and checked)."""

    def make(self, job: PartJob) -> MadePart:
        remade: str | None = None
        best: MadePart | None = None
        waits = 0
        while True:
            try:
                with self._gate.slot(job.index) if self._gate else contextlib.nullcontext():
                    result = self._generate(job.request)
            except ApiRateLimitError:
                self._wait_for_queue(waits)
                waits += 1
                continue
            except JobFailedError as err:
                if remade is not None or not err.job_id or not self._remake:
                    raise
                remade = f"{job.label.capitalize()}: ModelsLab reported job {err.job_id} failed, so it was made again."
                continue
            made = self._check(job, result, waits, remade)
            if made.problem is None or remade is not None or not self._remake:
                if best is not None and made.problem and self._misfit(job, best) < self._misfit(job, made):
                    return replace(best, remade=remade, queue_waits=waits)
                return made
            best = made
            remade = f"{job.label.capitalize()} was made again: it {made.problem}."
            log.info("remaking %s: %s", job.label, made.problem)

    def _check(self, job: PartJob, result: CloneResult, waits: int, remade: str | None) -> MadePart:
        samples, rate = read_audio(result.audio_path)
        prepared = prepare_part(samples, rate)
        problem = judge_duration(prepared.seconds, job.part.text, self._language)
        return MadePart(
            job.index, result.audio_path, prepared, result.job_id, problem, remade, waits, result, len(samples) / rate
        )

    def _misfit(self, job: PartJob, made: MadePart) -> float:
        """How far a part's length is from its text's, either way (0 = as expected)."""
        expected = max(speech_seconds(job.part.text, self._language), 0.1)
        return abs(math.log(max(made.prepared.seconds, 0.01) / expected))

    def _wait_for_queue(self, waits: int) -> None:
        pause = self._queue_waits_s[min(waits, len(self._queue_waits_s) - 1)]
        if self._clock() + pause > self._deadline or self._stop.is_set():
            raise ApiRateLimitError(
                "ModelsLab's queue for this key stayed full (HTTP 429) until the clip's deadline. "
                "Wait a few minutes, or use a plan with a larger queue, then try again."
            )
        log.info("ModelsLab queue full (429): waiting %.0f s before sending the part again", pause)
        self._notify(f"ModelsLab's queue for this key is full (HTTP 429): sending again in {pause:.0f} s…")
        self._sleep(pause)
