"""Reading a stitched clip back: where its parts are (they are separated by pauses), and which
emulator job each one came from (the emulator's results are tones whose pitch encodes the job id)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soundfile

from components.audio.level import frame_power

FRAME_S = 0.01
GAP_S = 0.15
"""Silence at least this long separates two parts (the shortest natural pause is 0.2 s)."""


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    frequency: float

    @property
    def seconds(self) -> float:
        return self.end_s - self.start_s


def segments(path) -> list[Segment]:
    audio, rate = soundfile.read(str(path), dtype="float32")
    frame = int(FRAME_S * rate)
    active = frame_power(audio, frame) > 0.005**2
    found, start, quiet = [], None, 0
    for index, on in enumerate(np.append(active, [False] * int(GAP_S / FRAME_S + 1))):
        if on:
            start = index if start is None else start
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet * FRAME_S >= GAP_S:
                end = index - quiet + 1
                found.append(_segment(audio, rate, start * frame, end * frame))
                start, quiet = None, 0
    return found


def _segment(audio, rate, start, end) -> Segment:
    piece = audio[start:end]
    spectrum = np.abs(np.fft.rfft(piece * np.hanning(len(piece))))
    return Segment(start / rate, end / rate, float(np.argmax(spectrum) * rate / len(piece)))


def job_of(emulator, segment: Segment):
    """The emulator job whose tone this segment is (pitch = 200 + (id % 40) * 10 Hz)."""
    matches = [job for job in emulator.jobs.values() if abs(200 + (int(job.job_id) % 40) * 10 - segment.frequency) < 4]
    live = [job for job in matches if job.delivered_at is not None]
    assert len(live) == 1, f"{segment} matches {[j.job_id for j in live]}"
    return live[0]
