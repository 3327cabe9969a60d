"""What making the parts produced besides audio: the failure that names a part, and the tally for details."""

from __future__ import annotations

from pathlib import Path

from components.errors import VoiceCloneError


class PartFailedError(VoiceCloneError):
    """A part failed after its retries: the clip fails with a message naming the part, and the parts
    that were made are kept (`made`) so the person can still download them."""

    def __init__(self, user_message: str, *, index: int, total: int, made: tuple[Path, ...] = (), cause=None):
        super().__init__(user_message)
        self.index = index
        self.total = total
        self.made: tuple[Path, ...] = made
        self.cause = cause

