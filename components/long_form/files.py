"""The files a long clip leaves: a WAV per part as it becomes final (for the live player), the whole
clip and its subtitles, and, if the clip fails, the parts that worked under names that say which."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from components.output_files import OutputFiles, write_wav
from components.stitch import Cue, srt_text


def write_chunk(outputs: OutputFiles, samples: np.ndarray, rate: int) -> Path:
    """The newly final samples as a small WAV the page's live player appends."""
    return write_wav(outputs.new_path(".wav"), samples, rate)


def write_subtitles_beside(audio: Path, cues: list[Cue]) -> Path:
    srt = audio.with_suffix(".srt")
    srt.write_text(srt_text(cues), encoding="utf-8")
    return srt


def keep_made_parts(outputs: OutputFiles, made: dict[int, Path], total: int, name: str) -> tuple[Path, ...]:
    """Copies of the parts that worked, named 'part-03-of-20-<clip name>.wav', in text order."""
    kept = []
    for index in sorted(made):
        source = made[index]
        target = outputs.new_path(source.suffix, f"part-{index + 1:02d}-of-{total:02d}-{name}")
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        kept.append(target)
    return tuple(kept)
