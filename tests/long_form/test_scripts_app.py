"""A two-voice script with pauses, and a 10,000-character text, through /clone on both backends."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest
import soundfile
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from components.stitch import read_audio
from tests.conftest import app_settings, running_app
from tests.long_form.clip_analysis import job_of, segments
from tests.long_form.named_voices import ALICE, BRUNO, TwoVoices

SCRIPT = (
    "Alice: Good morning, Bruno. Did you sleep well?\n"
    "Bruno (happy): I did, thank you. [pause 1.5s] And you?\n"
    "[pause 1s]\n"
    "Alice (sad): Not really. <break time=\"800ms\"/> The neighbours were loud.\n"
    "The narrator closes the scene in the main voice."
)
EXPECTED = [
    ("Alice", "neutral", "Good morning, Bruno. Did you sleep well?"),
    ("Bruno", "happy", "I did, thank you."),
    ("Bruno", "happy", "And you?"),
    ("Alice", "sad", "Not really."),
    ("Alice", "sad", "The neighbours were loud."),
    ("", "neutral", "The narrator closes the scene in the main voice."),
]
GAPS = [0.5, 1.5, 1.0, 0.8, 0.5]
"""Silence between the parts: a turn, the tag, the tag line, the break, a turn."""


@pytest.fixture(scope="module")
def remote_app(emulator_server):
    with running_app(app_settings(emulator_server)) as (client, service):
        service.voices = TwoVoices(service)
        yield client, service


@pytest.fixture(scope="module")
def offline_app():
    with running_app(app_settings(None)) as (client, service):
        service.voices = TwoVoices(service)
        yield client, service


def test_a_two_voice_script_with_pauses_on_modelslab(remote_app, emulator):
    client, service = remote_app
    emulator.reset(mode="processing", eta_s=0.3, speech_cps=12)
    main = service.voices.voices["Bruno"].reference  # any sample will do as the main voice
    path, details = client.predict(
        text=SCRIPT, reference=handle_file(str(ALICE)), language="english", emotion="neutral",
        backend="modelslab", api_name="/clone",
    )
    sent = sorted(emulator.submissions(), key=lambda r: [e[2] for e in EXPECTED].index(r.body["prompt"]))
    assert [(r.body["prompt"], r.body["emotion"]) for r in sent] == [(t, e) for _, e, t in EXPECTED]
    uploads = {f"/uploads/{k}.wav": v for k, v in emulator.voice_library.files.items()}
    voice_of = {}
    for request in sent:
        audio = uploads.get("/" + request.body["init_audio"].split("/", 3)[-1]) if not request.body["base64"] else (
            base64.b64decode(request.body["init_audio"].partition(",")[2]))
        voice_of[request.body["prompt"]] = audio
    alice = service.voices.voices["Alice"].reference.wav_bytes
    bruno = service.voices.voices["Bruno"].reference.wav_bytes
    main_sample = service.check_reference(ALICE).wav_bytes
    assert [voice_of[t] for _, _, t in EXPECTED] == [alice, bruno, bruno, alice, alice, main_sample]
    assert main is not None
    found = segments(path)
    assert [job_of(emulator, s).body["prompt"] for s in found] == [t for _, _, t in EXPECTED]
    gaps = [b.start_s - a.end_s for a, b in zip(found, found[1:])]
    assert gaps == pytest.approx(GAPS, abs=0.06)
    assert "**Parts:** 6" in details and "**Voices:** Alice (3 parts), Bruno (2 parts), your voice (1 parts)" in details


def test_an_unknown_name_in_a_script_lists_the_voices(remote_app, emulator):
    client, _ = remote_app
    with pytest.raises(AppError, match=r"Line 2 is spoken by “Carla”.*Voices you can name: Alice, Bruno"):
        client.predict(text="Alice: Hi.\nCarla: Hello.", voice_id="jacob", backend="modelslab", api_name="/clone")
    assert emulator.submissions() == [], "nothing is sent for a script with a mistake"


def test_plain_text_never_asks_for_the_voice_list(remote_app, emulator):
    client, service = remote_app
    before = service.voices.lookups
    client.predict(text="Just prose, no names at all.", voice_id="jacob", backend="modelslab", api_name="/clone")
    assert service.voices.lookups == before


def test_a_two_voice_script_with_pauses_offline(offline_app):
    client, service = offline_app
    engine = service.backends["local"].engine
    heard = []
    original = engine.synthesize

    def spy(text, *, language, emotion, reference):
        heard.append((text, emotion, reference.sha256 if reference else None))
        return original(text, language=language, emotion=emotion, reference=reference)

    engine.synthesize = spy
    try:
        path, details = client.predict(text=SCRIPT, reference=handle_file(str(BRUNO)), backend="local", api_name="/clone")
    finally:
        engine.synthesize = original
    alice = service.voices.voices["Alice"].reference.sha256
    bruno = service.voices.voices["Bruno"].reference.sha256
    main = service.check_reference(BRUNO).sha256
    assert heard == [(t, e, {"Alice": alice, "Bruno": bruno, "": main}[v]) for v, e, t in EXPECTED]
    cues = _cues_of(service, path)
    assert len(cues) == 6
    audio, rate = read_audio(path)
    for (start, end), following in zip(cues, GAPS + [0]):
        assert np.sqrt(np.mean(audio[int(start * rate) : int(end * rate)] ** 2)) > 0.01, "each part holds speech"
    for (_, end), (start, _), gap in zip(cues, cues[1:], GAPS):
        assert start - end == pytest.approx(gap, abs=0.02)
        assert np.max(np.abs(audio[int((end + 0.01) * rate) : int((start - 0.01) * rate)])) == 0, "the pause is silence"
    assert "**Parts:** 6, made one after another on this server" in details


def test_a_10000_character_text_offline_comes_back_complete_and_in_order(offline_app):
    from tests.script.test_plan import long_text

    client, service = offline_app
    engine = service.backends["local"].engine
    heard, original = [], engine.synthesize

    def spy(text, **kwargs):
        heard.append(text)
        return original(text, **kwargs)

    engine.synthesize = spy
    try:
        text = long_text(10_000).replace("Sentence", "Satz")
        path, details = client.predict(text=text, language="german", backend="local", api_name="/clone")
    finally:
        engine.synthesize = original
    cues = _cues_of(service, path)
    srt_texts = _srt_texts(service, path)
    assert heard == srt_texts, "every part went to the engine once, in text order"
    assert " ".join(heard).split() == text.split(), "nothing dropped"
    assert len(cues) == len(heard) > 60
    audio, rate = read_audio(path)
    loud = [np.sqrt(np.mean(audio[int(s * rate) : int(e * rate)] ** 2)) for s, e in cues]
    assert min(loud) > 0.01, "every part is in the clip"
    assert soundfile.info(path).duration == pytest.approx(cues[-1][1], abs=0.05)


def _srt_path(service, path: str) -> Path:
    """The subtitles the app wrote beside the clip (gradio_client downloads only the clip)."""
    return max(service.outputs.root.rglob(Path(path).stem + ".srt"), key=lambda p: p.stat().st_mtime)


def _srt_texts(service, path: str) -> list[str]:
    blocks = _srt_path(service, path).read_text(encoding="utf-8").strip().split("\n\n")
    return [block.split("\n", 2)[2] for block in blocks]


def _cues_of(service, path: str) -> list[tuple[float, float]]:
    """The clip's part spans, from the .srt written beside it."""
    def seconds(stamp: str) -> float:
        h, m, rest = stamp.split(":")
        s, ms = rest.split(",")
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    spans = []
    for block in _srt_path(service, path).read_text(encoding="utf-8").strip().split("\n\n"):
        start, end = block.split("\n")[1].split(" --> ")
        spans.append((seconds(start), seconds(end)))
    return spans


@pytest.fixture(scope="module")
def library_app(emulator_server):
    """The app as built for a Space: script names answered by the voice library."""
    with running_app(app_settings(emulator_server)) as (client, service):
        yield client, service


def test_a_script_names_the_example_voices_over_the_api(library_app, emulator):
    client, service = library_app
    emulator.reset(mode="processing", eta_s=0.2, speech_cps=12)
    script = "Owen: Good evening, and welcome to the show.\nMia (happy): Thank you, it is lovely to be here!"
    path, details = client.predict(text=script, backend="modelslab", api_name="/clone")
    sent = {r.body["prompt"]: r.body for r in emulator.submissions()}
    assert set(sent) == {"Good evening, and welcome to the show.", "Thank you, it is lovely to be here!"}
    assert sent["Thank you, it is lovely to be here!"]["emotion"] == "happy"
    samples = {body["init_audio"] for body in sent.values()}
    assert len(samples) == 2 and all(s.startswith("data:audio/wav;base64,") for s in samples), "each its own voice"
    assert "**Parts:** 2" in details and "Owen (1 parts), Mia (1 parts)" in details
    with pytest.raises(AppError, match=r"no voice called Zed.*Voices you can name: .*Hugo.*Mia.*Nora.*Owen"):
        client.predict(text="Owen: Hi.\nZed: Hello.", backend="modelslab", api_name="/clone")
