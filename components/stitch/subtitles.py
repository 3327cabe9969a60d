"""Each part's text with its time span in the clip: an .srt file, and the player's subtitle list."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cue:
    start_s: float
    end_s: float
    text: str


def _srt_time(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


def srt_text(cues: list[Cue]) -> str:
    """SubRip: numbered cues, 'HH:MM:SS,mmm --> HH:MM:SS,mmm', the text, a blank line."""
    blocks = [
        f"{number}\n{_srt_time(cue.start_s)} --> {_srt_time(cue.end_s)}\n{cue.text}\n"
        for number, cue in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def player_subtitles(cues: list[Cue]) -> list[dict]:
    """The list gr.Audio(subtitles=...) takes: [{"text", "timestamp": [start, end]}]."""
    return [{"text": cue.text, "timestamp": [round(cue.start_s, 3), round(cue.end_s, 3)]} for cue in cues]
