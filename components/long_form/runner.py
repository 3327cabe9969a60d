"""One plan on one backend: parts made (side by side or one by one), put in text order, stitched as
they come, played early, and written as one clip with subtitles. clone_service calls `LongForm.run`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace

from components.backends import (
    MODELSLAB,
    Backend,
    CloneRequest,
    CloneResult,
    PartialAudio,
    Progress,
)
from components.errors import ApiAuthError, InputError, VoiceCloneError
from components.long_form import files
from components.long_form.conditioning import (
    part_request,
    store_shared_samples,
    with_fallback,
)
from components.long_form.notes import clip_notes, part_failed
from components.long_form.outcome import PartFailedError
from components.long_form.parts import QUEUE_FULL_WAITS_S, MadePart, PartJob, PartMaker
from components.long_form.pool import OrderedGate, Waiting, one_by_one, side_by_side
from components.long_form.uploads import ReferenceUrls
from components.long_form.voice_audio import VoiceAudio
from components.long_form.voices import Voice
from components.output_files import OutputFiles, WavStream, clip_file_name
from components.script import LIMITS, Limits, Plan
from components.stitch import Cue, Stitcher

log = logging.getLogger(__name__)


def _quiet(fraction: float | None, description: str) -> None:
    """Per-part backend progress is not shown: the runner reports 'part k of n' instead."""


class LongForm:
    """Shared by all visitors; keeps nothing per clip but the reference URL cache."""

    def __init__(
        self,
        outputs: OutputFiles,
        *,
        max_parallel: int = 5,
        deadline_s: float = 600.0,
        reference_urls: ReferenceUrls | None = None,
        limits: Limits = LIMITS,
    ):
        self.outputs = outputs
        self.max_parallel = max_parallel
        self.deadline_s = deadline_s
        self.reference_urls = reference_urls
        self.limits = limits
        self.queue_waits_s = QUEUE_FULL_WAITS_S
        """How long a part waits after a 429 the client's own retries did not get past."""

    def run(
        self, plan: Plan, voices: Mapping[str, Voice], base: CloneRequest, backend: Backend, progress: Progress,
        *, live: bool = True,
    ) -> Iterator[PartialAudio | CloneResult]:
        """Yield each part's audio in text order as soon as it is final (unless `live` is False: an API
        caller gets only the whole clip), then the whole clip's CloneResult.

        Raises:
            PartFailedError: a part failed after its retries (names it; carries the parts made).
            VoiceCloneError: anything that stops the clip before a part is made (no key, no voice...).
        """
        remote = backend.name == MODELSLAB
        stop = threading.Event()
        urls, upload_note = store_shared_samples(
            plan, voices, base.api_key, self.reference_urls if remote else None
        )
        jobs = [
            PartJob(index, len(plan.parts), part, part_request(base, part, voices[part.voice], urls))
            for index, part in enumerate(plan.parts)
        ]
        if len(jobs) == 1 and not plan.lead_in_s:
            yield from self._single(jobs[0], backend, progress, remote)
            return
        maker = PartMaker(
            with_fallback(lambda request: backend.generate(request, _quiet), self.reference_urls), base.language,
            remake=remote,
            deadline=time.monotonic() + self.deadline_s, stop=stop, queue_waits_s=self.queue_waits_s,
            gate=OrderedGate(self.max_parallel) if remote else None,
        )
        started = time.monotonic()
        progress(0.02, f"Making {len(jobs)} parts" + (f", {self.max_parallel} at a time…" if remote else "…"))
        finished = (
            side_by_side(jobs, maker.make, self.max_parallel, stop) if remote else one_by_one(jobs, maker.make, stop)
        )
        clip = WavStream(self.outputs.new_path(".wav", clip_file_name(base.text, base.language, base.emotion)))
        by_voice = VoiceAudio() if len({part.voice for part in plan.parts}) > 1 else None
        try:
            made, stitcher, first_at = yield from self._stitch(
                plan, jobs, finished, stop, progress, started, live, clip, by_voice
            )
        except BaseException:
            clip.close().unlink(missing_ok=True)  # half a clip helps nobody; the parts made are kept
            raise
        wav = clip.close()
        stitched = time.monotonic()
        cues = [Cue(*span, _cue_text(job)) for span, job in zip(stitcher.spans, jobs)]
        srt = files.write_subtitles_beside(wav, cues)
        yield CloneResult(
            audio_path=wav, backend=backend.name, job_id=None,
            timings=(("first part", first_at - started), ("all parts", stitched - started),
                     ("files", time.monotonic() - stitched)),
            notes=clip_notes(jobs, made, base, remote, self.max_parallel, upload_note),
            parts=len(jobs), downloads=(wav, srt), cues=tuple(cues),
            voice_audio=by_voice.excerpts() if by_voice else (),
        )

    def _single(self, job: PartJob, backend: Backend, progress: Progress, remote: bool):
        """A text of one part: made as before (offline: streamed sentence by sentence), the file kept
        as it came; still checked against its text, and given subtitles."""
        if remote:
            maker = PartMaker(
                lambda request: backend.generate(request, progress), job.request.language, remake=True,
                deadline=time.monotonic() + self.deadline_s, notify=lambda message: progress(None, message),
                queue_waits_s=self.queue_waits_s,
            )
            made = maker.make(job)
        else:
            result = None
            for item in backend.stream(job.request, progress):
                if isinstance(item, PartialAudio):
                    yield item
                else:
                    result = item
            made = PartMaker(lambda request: result, job.request.language, remake=False, deadline=0.0).make(job)
        cues = (Cue(0.0, made.raw_seconds, _cue_text(job)),)
        srt = files.write_subtitles_beside(made.path, list(cues))
        extra = [note for note in (made.remade,) if note]
        if made.problem:
            extra.append(f"⚠️ The clip {made.problem}. Listen to it, and press Generate to try again if words are missing.")
        result = made.result
        yield replace(result, downloads=(made.path, srt), cues=cues, notes=(*result.notes, *extra))

    def _stitch(
        self, plan, jobs, finished, stop, progress, started, live, clip: WavStream, by_voice: VoiceAudio | None
    ):
        """Consume finished parts, stitch them in text order into `clip` (and the live player), each
        voice's parts also into `by_voice` (for its own voice match); raise PartFailedError on failure."""
        stitcher = Stitcher(plan.lead_in_s)
        made: dict[int, MadePart] = {}
        failure: tuple[PartJob, Exception] | None = None
        next_index, first_at = 0, started
        for item in finished:
            if isinstance(item, Waiting):
                progress(next_index / len(jobs), _waiting_text(next_index, len(jobs), item.in_flight, started))
                continue
            if item.error is not None and failure is None:
                failure = (jobs[item.index], item.error)
                stop.set()
            if item.made is not None:
                made[item.index] = item.made
            while failure is None and next_index in made:
                chunk = self._add(stitcher, jobs[next_index], made[next_index])
                clip.write(chunk, stitcher.rate)
                if by_voice is not None:
                    part = made[next_index].prepared
                    by_voice.add(jobs[next_index].part.voice, part.samples, part.rate)
                made[next_index] = replace(made[next_index], prepared=None)  # in the clip now: free its samples
                first_at = first_at if next_index else time.monotonic()
                next_index += 1
                progress(next_index / len(jobs), f"Part {next_index} of {len(jobs)} ready…")
                if live:
                    yield PartialAudio(files.write_chunk(self.outputs, chunk, stitcher.rate), next_index, len(jobs))
        if failure is not None:
            raise self._failed(failure, made, jobs)
        clip.write(stitcher.finish(), stitcher.rate)
        return made, stitcher, first_at

    def _add(self, stitcher: Stitcher, job: PartJob, made: MadePart):
        chunk = stitcher.add(made.prepared, job.part.pause_after_s, job.part.crossfade)
        if stitcher.seconds > self.limits.max_clip_s:
            raise VoiceCloneError(
                f"The clip passed {self.limits.max_clip_s / 60:.0f} minutes at {job.label}, the limit per "
                "clip; it was stopped there. Split the text into several clips."
            )
        return chunk

    def _failed(self, failure, made: dict[int, MadePart], jobs: list[PartJob]) -> VoiceCloneError:
        job, error = failure
        if isinstance(error, (InputError, ApiAuthError)) and not made:
            return error  # about the whole clip (no key, a refused key), not about this part
        name = clip_file_name(job.request.text, job.request.language, job.request.emotion)
        kept = files.keep_made_parts(self.outputs, {i: m.path for i, m in made.items()}, len(jobs), name)
        return PartFailedError(
            part_failed(job, error, len(kept)), index=job.index, total=len(jobs), made=kept, cause=error
        )


def _cue_text(job: PartJob) -> str:
    return f"{job.part.voice}: {job.part.text}" if job.part.voice else job.part.text


def _waiting_text(ready: int, total: int, in_flight: int, started: float) -> str:
    waited = time.monotonic() - started
    return f"Part {ready} of {total} ready · {in_flight} being made · {waited:.0f} s"
