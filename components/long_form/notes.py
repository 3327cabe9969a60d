"""What the details panel says about a clip made in parts, and the message when a part fails."""

from __future__ import annotations

from collections import Counter

from components.backends import CloneRequest
from components.errors import VoiceCloneError
from components.long_form.parts import MadePart, PartJob


def clip_notes(
    jobs: list[PartJob], made: dict[int, MadePart], base: CloneRequest, remote: bool, parallel: int,
    upload_note: str | None,
) -> tuple[str, ...]:
    """Sentences for the details panel: parts, voices, retries, anything still off (named)."""
    if remote:
        notes = [f"**Parts:** {len(jobs)}, made up to {parallel} at a time on ModelsLab; each one from the voice itself, never from the part before."]
    else:
        notes = [f"**Parts:** {len(jobs)}, made one after another on this server; each one from the voice itself, never from the part before."]
    voices = Counter(job.part.voice or "your voice" for job in jobs)
    if len(voices) > 1:
        notes.append("**Voices:** " + ", ".join(f"{name} ({count} parts)" for name, count in voices.items()))
    first = made[0].result if made and made[0].result else None
    if remote and first and first.notes:
        notes.append(first.notes[0])  # the API tier
    if upload_note:
        notes.append(upload_note)
    notes.extend(made[i].remade for i in sorted(made) if made[i].remade)
    waits = sum(m.queue_waits for m in made.values())
    if waits:
        notes.append(f"ModelsLab's queue was full {waits} time(s) (HTTP 429): those parts waited and were sent again.")
    notes.extend(
        f"⚠️ {jobs[i].label.capitalize()}: it {made[i].problem}. It is in the clip: listen to it, and press "
        "Generate to try again if words are missing." for i in sorted(made) if made[i].problem
    )
    ids = [str(made[i].job_id) for i in sorted(made) if made[i].job_id]
    if ids:
        notes.append("**Job ids**, in text order: " + ", ".join(f"`{job_id}`" for job_id in ids))
    return tuple(notes)


def part_failed(job: PartJob, error: Exception, kept: int) -> str:
    reason = error.user_message if isinstance(error, VoiceCloneError) else GENERIC_REASON
    said = f"The clip could not be finished: {job.label} failed. {reason}"
    if not kept:
        return said
    return f"{said} The {kept} part(s) made before it stopped are kept: download them on the page (under Downloads)."


GENERIC_REASON = "Something went wrong on the server while making it."
