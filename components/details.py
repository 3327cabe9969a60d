"""The details panel of one clip: backend, voice, what was done to the reference, parts, notes, timings.

Kept apart from clone_service (which calls it) so that module stays about one thing: running a clip.
"""

from __future__ import annotations

from components.audio.prepared import PreparedReference
from components.backends import OFFLINE, CloneResult


def render_details(
    result: CloneResult,
    reference: PreparedReference | None,
    language: str,
    emotion: str,
    timings: tuple[tuple[str, float], ...],
    match_line: str = "",
    voice_notes: tuple[str, ...] = (),
) -> str:
    """The details panel: backend, what was done to the reference, job id, timings (markdown)."""
    where = "engine on this server" if result.backend == OFFLINE else "voice-cloning API"
    lines = [f"**Backend:** {result.backend} ({where})"]
    lines.append(f"**Language:** {language.title()} · **Emotion:** {emotion}")
    if result.job_id:
        lines.append(f"**Job id:** `{result.job_id}`")
    lines.extend(voice_notes)
    if reference is not None and not voice_notes:  # a library voice: its note says what was sent
        lines.append(
            f"**Reference:** {reference.source} → {reference.sample_rate / 1000:g} kHz mono WAV, "
            f"{reference.duration_s:.1f} s of speech"
        )
        lines.extend(f"- {sentence}" for sentence in reference.report)
    elif not voice_notes:
        lines.append("**Reference:** none given")
    if result.parts == 1:
        lines.append("**Parts:** 1 (the whole text in one go)")
    lines.extend(result.notes)
    if match_line:
        lines.append(match_line)
    lines.append("_AI-generated voice: the file says so too, in its metadata._")
    shown = " · ".join(f"{step} {seconds:.2f} s" for step, seconds in timings if step != "total")
    total = dict(timings).get("total")
    lines.append(f"**Timings:** {shown}" + (f" · **total {total:.2f} s**" if total is not None else ""))
    return "\n\n".join(lines)
