"""The list of takes: what comes back from a browser is checked before anything is done with it, the
list is drawn escaped, and a shared link carries the take and nothing else of the sender's page."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest

from components.ui.history.events import HistoryEvents
from components.ui.history.panel import render
from components.ui.history.share import SHARED_FIELDS, write_deep_link
from components.ui.history.takes import (
    MAX_TAKES,
    Take,
    is_app_clip,
    is_upload,
    read_takes,
)
from components.ui.i18n import Translator

ID = "ab" * 16
FOLDER = "cd" * 16


@pytest.fixture
def roots(tmp_path):
    uploads = tmp_path / "gradio"
    outputs = uploads / "voice-clone-studio"
    (outputs / FOLDER).mkdir(parents=True)
    return outputs, uploads


def stored(clip: str, **extra) -> dict:
    return {"id": ID, "clip": clip, "text": "Hello", "language": "german", "emotion": "sad",
            "voice_kind": "id", "voice_name": "jacob", "created": 1_700_000_000.0, **extra}


def test_a_take_the_app_made_comes_back_whole(roots):
    outputs, uploads = roots
    clip = str(outputs / FOLDER / "hello-german-sad.wav")
    take = Take.from_stored(stored(clip, match=78, made_by="offline"), outputs, uploads)
    assert take == Take(id=ID, clip=clip, text="Hello", language="german", emotion="sad", voice_kind="id",
                        voice_name="jacob", made_by="offline", match=78, created=1_700_000_000.0)
    assert Take.from_stored(take.stored(), outputs, uploads) == take


@pytest.mark.parametrize(
    "clip",
    [
        "/etc/passwd",
        "{outputs}/../../etc/passwd.wav",
        "{outputs}/" + FOLDER + "/../../secret.wav",
        "{outputs}/" + FOLDER + "/clip.txt",
        "{outputs}/not-a-uuid/clip.wav",
        "{outputs}/" + FOLDER + "/deeper/clip.wav",
        "{uploads}/" + FOLDER + "/clip.wav",
        "relative/" + FOLDER + "/clip.wav",
        "{outputs}/" + FOLDER + "/clip\x00.wav",
        "",
    ],
)
def test_a_clip_path_the_app_did_not_write_is_refused(roots, clip):
    outputs, uploads = roots
    path = clip.format(outputs=outputs, uploads=uploads)
    assert not is_app_clip(path, outputs)
    assert Take.from_stored(stored(path), outputs, uploads) is None


def test_both_clip_shapes_the_app_writes_are_accepted(roots):
    outputs, _ = roots
    assert is_app_clip(str(outputs / FOLDER / "any name é.mp3"), outputs)
    assert is_app_clip(str(outputs / f"{FOLDER}.wav"), outputs)


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("language", "klingon", "english"),
        ("emotion", {"x": 1}, "neutral"),
        ("backend_choice", "rm -rf", "auto"),
        ("voice_kind", "root", "builtin"),
        ("match", 250, None),
        ("match", True, None),
        ("text", ["not", "text"], ""),
        ("created", "yesterday", 0.0),
    ],
)
def test_bad_fields_fall_back_to_safe_values(roots, field, value, expected):
    outputs, uploads = roots
    take = Take.from_stored(stored(str(outputs / FOLDER / "c.wav"), **{field: value}), outputs, uploads)
    assert getattr(take, field) == expected


def test_a_sample_path_is_kept_only_inside_the_upload_folder(roots):
    outputs, uploads = roots
    clip = str(outputs / FOLDER / "c.wav")
    inside = str(uploads / "f00d" / "sample.wav")
    assert Take.from_stored(stored(clip, reference=inside), outputs, uploads).reference == inside
    for outside in ("/etc/passwd.wav", str(uploads / "deep_links" / "x" / "a.wav"), str(uploads / "x.json")):
        assert not is_upload(outside, uploads)
        assert Take.from_stored(stored(clip, reference=outside), outputs, uploads).reference == ""


def test_the_list_is_checked_sorted_unique_and_bounded(roots):
    outputs, uploads = roots
    clip = str(outputs / FOLDER / "c.wav")
    entries = [dict(stored(clip), id=f"{n:032x}", created=float(n)) for n in range(MAX_TAKES + 5)]
    entries += ["junk", None, 42, dict(stored("/etc/passwd")), entries[3]]
    takes = read_takes(entries, outputs, uploads)
    assert len(takes) == MAX_TAKES
    assert [t.created for t in takes] == sorted((t.created for t in takes), reverse=True)
    assert read_takes("not a list", outputs, uploads) == []
    assert read_takes({"a": 1}, outputs, uploads) == []


def say(key: str, **values) -> str:
    return Translator().text(key, locale="en", **values)


def test_the_list_is_drawn_escaped(roots):
    outputs, _ = roots
    clip = str(outputs / FOLDER / 'x"><img src=x onerror=alert(1)>.wav')
    take = Take(id=ID, clip=clip, text="<script>alert('hi')</script>", language="english", emotion="happy",
                voice_kind="picker", voice_name="<b>Bold</b>", created=time.time())
    html = render([take], {ID}, say)
    assert "<script>" not in html and "<b>Bold</b>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_an_expired_take_says_so_and_can_still_be_used_again(roots):
    outputs, _ = roots
    take = Take(id=ID, clip=str(outputs / FOLDER / "c.wav"), text="Hi", language="english", emotion="happy",
                voice_kind="sample", match=81, made_by="offline", created=time.time())
    expired = render([take], set(), say)
    assert 'data-state="expired"' in expired and "<audio" not in expired and "Expired" in expired
    assert 'data-action="use"' in expired
    ready = render([take], {ID}, say)
    assert "<audio" in ready and "download=" in ready and "voice match 81%" in ready
    assert "your sample · English · happy · offline" in ready
    assert "Your takes appear here" in render([], set(), say)


def test_the_voice_match_and_backend_are_read_from_the_details_in_any_language(roots):
    outputs, _ = roots
    events = HistoryEvents(Translator(), outputs)
    details = "**Backend:** offline (engine on this server)\n\n**Voice match:** 83%"
    assert events.outcome(details, None) == ("offline", 83)
    spanish = Translator().say("**Backend:** ModelsLab (voice-cloning API)", locale="es")
    request = SimpleNamespace(session_hash="s", headers={})
    events.translator.remember("es", request)
    assert events.outcome(spanish, request) == ("ModelsLab", None)


def test_a_shared_link_carries_the_take_and_nothing_else(roots, tmp_path):
    outputs, uploads = roots
    clip = outputs / FOLDER / "hello.wav"
    clip.write_bytes(b"RIFF")
    page = [
        {"id": 1, "type": "textbox", "props": {"elem_id": "text", "value": ""}},
        {"id": 2, "type": "textbox", "props": {"elem_id": "api_key", "value": ""}},
        {"id": 3, "type": "audio", "props": {"elem_id": "reference_audio", "value": None}},
        {"id": 4, "type": "audio", "props": {"elem_id": "output_audio", "value": None}},
        {"id": 5, "type": "browserstate", "props": {"default_value": []}},
        {"id": 6, "type": "radio", "props": {"elem_id": "emotion", "value": "neutral"}},
    ]
    take = Take(id=ID, clip=str(clip), text="Hola", language="spanish", emotion="happy", voice_kind="sample",
                reference=str(uploads / "f00d" / "me.wav"), details="**Backend:** offline")
    link = write_deep_link(page, take, tmp_path / "uploads")
    saved = json.loads((tmp_path / "uploads" / "deep_links" / link / "state.json").read_text())
    by_id = {c["id"]: c["props"] for c in saved}
    assert by_id[1]["value"] == "Hola" and by_id[6]["value"] == "happy"
    assert by_id[4]["value"]["path"] == str(clip) and by_id[4]["value"]["url"].startswith("/gradio_api/file=")
    assert by_id[2]["value"] == "" and by_id[3]["value"] is None and by_id[5] == {"default_value": []}
    assert "me.wav" not in json.dumps(saved)
    assert page[0]["props"]["value"] == ""  # the page's own config is never changed
    assert write_deep_link(page, take, tmp_path / "uploads") == link  # same take, same link
    assert set(SHARED_FIELDS) >= {"text", "language", "emotion", "output_audio", "details"}


def test_a_shared_link_can_show_other_parts_too(roots, tmp_path):
    outputs, _ = roots
    clip = outputs / FOLDER / "hello.wav"
    page = [{"id": 7, "type": "html", "props": {"elem_id": "voice_match", "value": "", "visible": False}}]
    take = Take(id=ID, clip=str(clip), text="Hi", language="english", emotion="happy", voice_kind="builtin")
    bar = {"__type__": "update", "value": "<div>58%</div>", "visible": True}
    link = write_deep_link(page, take, tmp_path, shown={"voice_match": bar})
    saved = json.loads((tmp_path / "deep_links" / link / "state.json").read_text())
    assert saved[0]["props"] == {"elem_id": "voice_match", "value": "<div>58%</div>", "visible": True}


def test_a_take_names_the_voice_generate_used(roots, monkeypatch):
    outputs, uploads = roots
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))  # where Gradio keeps uploads
    events = HistoryEvents(Translator(), outputs)
    sample = str(uploads / "f00d" / "me.wav")
    base = {"text": "Hi", "language": "french", "emotion": "sad", "backend_choice": "local"}
    picked = events._take_inputs({**base, "picked": "saved:7", "picked_label": "Anna", "reference": sample}, "", None)
    assert (picked["voice_kind"], picked["voice_name"], picked["picked"], picked["reference"]) == (
        "picker", "Anna", "saved:7", "")
    recorded = events._take_inputs({**base, "picked": "new", "reference": sample}, "", None)
    assert (recorded["voice_kind"], recorded["reference"]) == ("sample", sample)
    by_id = events._take_inputs({**base, "voice_id": " jacob "}, "", None)
    assert (by_id["voice_kind"], by_id["voice_name"]) == ("id", "jacob")
    junk = events._take_inputs({"text": ["x"], "picked": 5, "reference": {"path": "/etc/passwd"}}, "", None)
    assert (junk["voice_kind"], junk["text"], junk["reference"], junk["language"]) == ("builtin", "", "", "english")


def test_use_again_puts_back_only_the_voice_the_take_used(roots):
    from components.ui.history.events import restored_voice
    from components.ui.library_texts import NEW

    outputs, uploads = roots
    sample = uploads / "f00d" / "me.wav"
    sample.parent.mkdir(parents=True)
    sample.write_bytes(b"RIFF")
    base = dict(id=ID, clip=str(outputs / FOLDER / "a.wav"), text="Hi", language="english", emotion="sad")
    # A voice id or the built-in voice: a sample left in the box would win over it, so it goes.
    assert restored_voice(Take(**base, voice_kind="id", voice_id="jacob")) == {"voice_picker": NEW, "reference_audio": None}
    assert restored_voice(Take(**base, voice_kind="builtin")) == {"voice_picker": NEW, "reference_audio": None}
    assert restored_voice(Take(**base, voice_kind="sample", reference=str(sample))) == {
        "voice_picker": NEW, "reference_audio": str(sample)}
    # A sample gone from the server: the box keeps what it has (on_use warns).
    assert restored_voice(Take(**base, voice_kind="sample", reference=str(sample.with_name("gone.wav")))) == {
        "voice_picker": NEW}
    # A picked voice wins over any sample on its own: the box is left alone.
    assert restored_voice(Take(**base, voice_kind="picker", picked="example:nora")) == {"voice_picker": "example:nora"}
