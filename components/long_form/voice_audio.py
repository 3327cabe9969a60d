"""Each voice's own audio in a multi-voice script, kept for its voice match.

A script's clip mixes several people: scored as one, it would be compared with the main voice only and
look like a poor clone whenever someone else speaks. So the parts of each voice are gathered as they are
stitched (before their samples are freed), and each voice is scored on its own parts against its own
sample. Only the first CLIP_EXCERPT_S of each voice are kept: the score's cost stays bounded (a score
of a single clip reads the same 30 s), and so does the memory (30 s at 24 kHz is 2.9 MB).
"""

from __future__ import annotations

import numpy as np

from components.clip_match import CLIP_EXCERPT_S, VoiceExcerpt


class VoiceAudio:
    """Gathers the parts of each voice (`add`, in text order) up to CLIP_EXCERPT_S a voice."""

    def __init__(self, limit_s: float = CLIP_EXCERPT_S):
        self.limit_s = limit_s
        self._pieces: dict[str, list[np.ndarray]] = {}
        self._rates: dict[str, int] = {}
        self._kept: dict[str, int] = {}

    def add(self, voice: str, samples: np.ndarray, rate: int) -> None:
        """Keep a part's samples (a copy of what fits under the limit) for `voice`."""
        rate = self._rates.setdefault(voice, rate)
        if rate != self._rates[voice]:
            return  # a backend changing rate mid-clip does not happen; such a part is simply not scored
        room = int(self.limit_s * rate) - self._kept.get(voice, 0)
        if room <= 0 or len(samples) == 0:
            self._pieces.setdefault(voice, [])
            return
        piece = np.array(samples[:room], dtype=np.float32)
        self._pieces.setdefault(voice, []).append(piece)
        self._kept[voice] = self._kept.get(voice, 0) + len(piece)

    def excerpts(self) -> tuple[VoiceExcerpt, ...]:
        """One excerpt a voice, in the order the voices first speak."""
        return tuple(
            VoiceExcerpt(voice, np.concatenate(pieces) if pieces else np.zeros(0, np.float32), self._rates[voice])
            for voice, pieces in self._pieces.items()
        )
