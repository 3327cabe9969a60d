"""A long text on ModelsLab, through the service and the loopback emulator (real HTTP): every part
reaches the API once, side by side within the limit, and comes back stitched in text order."""

from __future__ import annotations

import re

import pytest

from components.backends import PartialAudio
from components.clone_service import CloneOutcome
from components.long_form import PartFailedError
from components.wiring import build_service
from tests.conftest import app_settings
from tests.long_form.clip_analysis import job_of, segments
from tests.script.test_plan import long_text

VOICE = "/work/shared/voices/same-speaker/1688/1688-142285-0000.flac"


@pytest.fixture
def service(emulator, tmp_path):
    def make(**overrides):
        built = build_service(app_settings(emulator, **overrides))
        built.long_form.queue_waits_s = (0.2,)
        return built

    return make


def run(service, text, **kwargs):
    partials, outcome = [], None
    for item in service.run(text=text, reference=kwargs.pop("reference", VOICE), backend="modelslab", **kwargs):
        if isinstance(item, PartialAudio):
            partials.append(item)
        else:
            assert isinstance(item, CloneOutcome)
            outcome = item
    return partials, outcome


def sentences_text(count: int) -> str:
    return " ".join(f"Sentence number {i} is here." for i in range(1, count + 1))


def test_a_10000_character_text_comes_back_complete_and_in_order(service, emulator):
    emulator.reset(mode="processing", eta_s=0.3, speech_cps=12)
    svc = service(modelslab_chunk_chars=500, modelslab_max_parallel=5)
    text = long_text(10_000)
    partials, outcome = run(svc, text)
    parts = [item for item in outcome.result.cues]
    prompts = emulator.prompts()
    plan_texts = [cue.text for cue in parts]
    assert len(prompts) == len(plan_texts) >= 15
    assert sorted(prompts) == sorted(plan_texts) and len(set(prompts)) == len(prompts), "each part sent once"
    arrival = [plan_texts.index(prompt) for prompt in prompts]
    assert all(abs(order - index) < 5 for order, index in enumerate(arrival)), "sent in text order, 5 at a time"
    assert [p.done_sentences for p in partials] == list(range(1, len(plan_texts) + 1))
    found = segments(outcome.result.audio_path)
    assert [job_of(emulator, seg).body["prompt"] for seg in found] == plan_texts, "every part, in text order"
    for seg, cue in zip(found, parts):
        job = job_of(emulator, seg)
        assert seg.seconds == pytest.approx(job.seconds, abs=0.05)
        assert cue.start_s == pytest.approx(seg.start_s, abs=0.05) and cue.end_s == pytest.approx(seg.end_s, abs=0.05)
    assert f"**Parts:** {len(plan_texts)}, made up to 5 at a time" in outcome.details


def test_the_reference_is_uploaded_once_and_each_part_carries_only_its_link(service, emulator):
    emulator.reset(mode="processing", eta_s=0.2)
    run(service(modelslab_chunk_chars=60), sentences_text(12))
    (upload,) = emulator.upload_requests()
    assert len(upload.raw) > 300_000
    url = upload and emulator.submissions()[0].body["init_audio"]
    for request in emulator.submissions():
        assert request.body["init_audio"] == url and request.body["base64"] is False
        assert len(request.raw) < 1500


def test_parts_in_flight_never_exceed_the_limit_and_a_full_queue_only_delays(service, emulator):
    emulator.reset(mode="processing", eta_s=0.4, queue_limit=3)
    _, outcome = run(service(modelslab_chunk_chars=60, modelslab_max_parallel=3), sentences_text(20))
    assert len(emulator.prompts()) == outcome.result.parts, "3 at a time never met a full queue of 3 (no 429)"
    emulator.reset(mode="processing", eta_s=0.4, queue_limit=2, retry_after_s=0)
    _, outcome = run(service(modelslab_chunk_chars=60, modelslab_max_parallel=5), sentences_text(20))
    assert len(emulator.prompts()) > outcome.result.parts, "5 at a time met 429s from a queue of 2"
    assert len(set(emulator.prompts())) == outcome.result.parts == len(segments(outcome.result.audio_path))


def test_a_lost_part_is_made_again(service, emulator):
    emulator.reset(mode="drop_part_once", eta_s=0.2, target_text="number 7 ")
    _, outcome = run(service(modelslab_chunk_chars=60), sentences_text(12))
    assert sum("number 7 " in p for p in emulator.prompts()) == 2
    assert re.search(r"Part \d+ of \d+ \(“[^”]*number 7 [^”]*”\): ModelsLab reported job \d+ failed, so it was made again", outcome.details)
    assert len(segments(outcome.result.audio_path)) == outcome.result.parts


def test_a_part_that_keeps_failing_fails_the_clip_naming_it_and_keeps_the_others(service, emulator):
    emulator.reset(mode="drop_part", eta_s=0.2, target_text="number 7 ")
    svc = service(modelslab_chunk_chars=60, modelslab_max_parallel=2)
    with pytest.raises(PartFailedError) as info:
        run(svc, sentences_text(12))
    error = info.value
    assert re.search(r"part (\d+) of (\d+) \(“[^”]*number 7 [^”]*”\) failed\. ModelsLab could not finish the job", error.user_message)
    assert "download them on the page" in error.user_message
    assert error.made and all(path.exists() for path in error.made)
    assert all(re.match(rf"part-\d\d-of-{error.total:02d}-", path.name) for path in error.made)
    assert f"part-{error.index + 1:02d}-" not in " ".join(p.name for p in error.made)
    assert len(emulator.prompts()) < error.total + 2, "no new parts are sent once the clip has failed"


def test_a_truncated_part_is_noticed_and_made_again(service, emulator):
    emulator.reset(mode="truncate_part_once", eta_s=0.2, speech_cps=12, target_text="number 5 ")
    _, outcome = run(service(modelslab_chunk_chars=60), sentences_text(8))
    assert sum("number 5 " in p for p in emulator.prompts()) == 2
    assert re.search(r"Part \d+ of \d+ \(“[^”]*number 5 [^”]*”\) was made again: it came back [\d.]+ s long for \d+ letters .*words are probably missing\.", outcome.details)
    assert "⚠️" not in outcome.details


def test_a_part_still_truncated_after_its_retry_is_named_in_the_details(service, emulator):
    emulator.reset(mode="truncate_part", eta_s=0.2, speech_cps=12, target_text="number 5 ")
    _, outcome = run(service(modelslab_chunk_chars=60), sentences_text(8))
    assert re.search(r"⚠️ Part \d+ of \d+ \(“[^”]*number 5 [^”]*”\): it came back .* words are probably missing", outcome.details)


def test_a_stored_sample_the_api_no_longer_has_is_sent_inline_and_stored_again_next_time(service, emulator):
    svc = service(modelslab_chunk_chars=60)
    emulator.reset(mode="processing", eta_s=0.2)
    run(svc, sentences_text(6))
    emulator.reset(mode="processing", eta_s=0.2)  # the emulator forgets its uploads, like an expired link
    _, outcome = run(svc, sentences_text(6))
    assert emulator.upload_requests() == [], "the cached link was used first"
    inline = [r for r in emulator.submissions() if r.body["base64"] is True]
    assert len(inline) == outcome.result.parts, "each refused part was sent again with the sample itself"
    run(svc, sentences_text(6))
    assert len(emulator.upload_requests()) == 1, "the stale link was forgotten"


def test_without_base64_to_url_each_part_carries_the_sample_and_details_say_so(service, emulator):
    emulator.reset(mode="processing", eta_s=0.2, refuse_uploads=True)
    _, outcome = run(service(modelslab_chunk_chars=60), sentences_text(6))
    assert all(r.body["base64"] is True and len(r.raw) > 300_000 for r in emulator.submissions())
    assert "could not be stored once at ModelsLab" in outcome.details and "each part's request carried it" in outcome.details


def test_a_long_text_counts_its_parts_against_the_server_keys_hourly_budget(service, emulator):
    from components.errors import VoiceCloneError

    emulator.reset(mode="processing", eta_s=0.2)
    svc = service(modelslab_chunk_chars=60, server_key_max_per_hour=10)
    with pytest.raises(VoiceCloneError, match=r"This text needs 12 generations \(one per part\)"):
        run(svc, sentences_text(24))
    assert emulator.submissions() == []
    _, outcome = run(svc, sentences_text(8))
    assert outcome.result.parts == 4 and svc.key_budget.remaining() == 6
    emulator.reset(mode="drop_part", eta_s=0.2, target_text="number 3 ")
    with pytest.raises(PartFailedError) as info:
        run(svc, sentences_text(8))
    assert svc.key_budget.remaining() == 6 - len(info.value.made), "the parts not made are given back"
