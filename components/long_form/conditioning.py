"""Every part is conditioned on its voice itself (the same sample or voice id), never on the part
before: that is what keeps a long clip from drifting. On ModelsLab a sample used by several parts is
stored once (base64_to_url) and each part's request carries its link instead of 640 KB of base64."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace

from components.backends import CloneRequest, CloneResult
from components.errors import ApiError, JobFailedError
from components.long_form.uploads import ReferenceUrls
from components.long_form.voices import Voice
from components.script import Part, Plan

log = logging.getLogger(__name__)


def part_request(base: CloneRequest, part: Part, voice: Voice, urls: Mapping[str, str]) -> CloneRequest:
    """The request for one part: its text and emotion, its voice, and the voice's stored URL if any."""
    reference = voice.reference
    return replace(
        base, text=part.text, emotion=part.emotion, reference=reference,
        voice_id=voice.voice_id, reference_url=urls.get(reference.sha256, "") if reference else "",
    )


def store_shared_samples(
    plan: Plan, voices: Mapping[str, Voice], api_key: str, reference_urls: ReferenceUrls | None
) -> tuple[dict[str, str], str | None]:
    """Store each sample that two or more parts use; returns ({sample sha256: url}, a note or None).

    A sample used once goes inline (one request either way). If storing fails, the parts carry the
    sample themselves, as a single clip does, and the note says so.
    """
    if reference_urls is None:
        return {}, None
    uses = Counter(part.voice for part in plan.parts)
    urls: dict[str, str] = {}
    sizes: list[int] = []
    for name, count in uses.items():
        reference = voices[name].reference
        if reference is None or count < 2 or reference.sha256 in urls:
            continue
        try:
            urls[reference.sha256] = reference_urls.url_for(reference, api_key)
        except ApiError as err:
            log.info("base64_to_url failed (%s); sending the sample with each part", type(err).__name__)
            return {}, (
                "The voice sample could not be stored once at ModelsLab "
                f"({err.user_message.rstrip('.')}), so each part's request carried it."
            )
        sizes.append(len(reference.data_uri()))
    if not urls:
        return {}, None
    return urls, (
        f"Stored once at ModelsLab (base64_to_url): {len(urls)} voice sample(s); each part's request carried "
        f"a link instead of {max(sizes) / 1024:.0f} KB of audio."
    )


def with_fallback(generate: Callable[[CloneRequest], CloneResult], reference_urls: ReferenceUrls | None):
    """`generate`, but a part whose stored sample the API cannot fetch is sent with the sample itself
    (and the stale URL is forgotten): a refusal without a job id charged nothing."""

    def generate_part(request: CloneRequest) -> CloneResult:
        try:
            return generate(request)
        except JobFailedError as err:
            if not request.reference_url or err.job_id or reference_urls is None:
                raise
            log.info("ModelsLab refused the stored sample's URL; sending the sample itself")
            reference_urls.forget(request.reference_url)
            return generate(replace(request, reference_url=""))

    return generate_part
