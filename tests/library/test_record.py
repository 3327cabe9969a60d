"""What the browser sends back is untrusted: saved voices are read strictly, the rest is dropped with a
reason; the compact encoding keeps a voice usable; a voice file moves between browsers."""

from __future__ import annotations

import base64
import hashlib
import json

import numpy as np
import pytest
from hypothesis import given, settings

from components.errors import InputError
from components.library import Library
from components.library.codec import compact_audio, reference_from_compact
from components.library.record import (
    MAX_VOICES,
    STORAGE_BUDGET_CHARS,
    clean_name,
    stored_chars,
)
from components.library.store import UNREADABLE
from components.library.transfer import export_bytes, export_name, read_voice_file
from components.offline import matching, spectrum
from components.reference import prepare
from tests.library.conftest import saved
from tests.modelslab.test_client import json_values


@pytest.fixture(scope="module")
def stored(sample_8s):
    """One real saved voice, as the browser keeps it (a dict of JSON values)."""
    from components.library import VoiceLibrary

    outcome = saved(VoiceLibrary(account=None), sample_8s, name="Anna Maria")
    return outcome.library.to_value()


def with_entry(value: dict, **changes) -> dict:
    entry = {**value["voices"][0], **changes}
    return {**value, "voices": [entry]}


def test_a_saved_voice_reads_back_unchanged(stored):
    library = Library.read(json.loads(json.dumps(stored)))  # as it comes back from the browser
    assert library.problems == ()
    (voice,) = library.voices
    assert (voice.name, voice.language) == ("Anna Maria", "english")
    assert voice.to_json() == stored["voices"][0]


def test_a_25_second_voice_is_compact_and_still_the_same_voice(sample_25s):
    original = prepare(sample_25s)
    audio = compact_audio(original)
    assert len(audio) < 150_000  # 25 s: about 4-5 kB per second
    back = reference_from_compact(audio, target_rate=original.sample_rate)
    assert back.duration_s == pytest.approx(original.duration_s, abs=0.6)
    before = matching.profile_of(original.samples(), original.sample_rate)
    after = matching.profile_of(back.samples(), back.sample_rate)
    assert after.median_hz == pytest.approx(before.median_hz, rel=0.02)
    shape = (before.ltas_db - after.ltas_db)[spectrum.FIT_BAND]
    assert np.sqrt(np.mean((shape - shape.mean()) ** 2)) < 1.5  # the voice's spectrum, within 1.5 dB


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"audio": "/etc/passwd"}, "not readable"),
        ({"audio": base64.b64encode(b"RIFF" + bytes(5000)).decode()}, "not audio this app saved"),
        ({"audio": "A" * 2_000_000}, "larger than any voice"),
        ({"sha256": "0" * 64}, "checksum"),
        ({"id": "../../etc/passwd"}, "id"),
        ({"name": "Narrator: <script>"}, "name"),
        ({"name": "x" * 10_000}, "name"),
        ({"language": "klingon"}, "language"),
        ({"consent": None}, "consent"),
        ({"seconds": 1e9}, "length"),
        ({"sample_rate": "24000"}, "sample rate"),
    ],
)
def test_a_tampered_entry_is_dropped_with_the_reason(stored, change, reason):
    library = Library.read(with_entry(stored, **change))
    assert library.voices == ()
    (problem,) = library.problems
    assert reason in problem and problem.startswith("Dropped")


@pytest.mark.parametrize("raw", ["/etc/passwd", 12, {"voices": "x"}, {"format": "other", "voices": []}, [["x"]]])
def test_a_value_that_is_not_a_library_is_set_aside(raw):
    library = Library.read(raw)
    assert library.voices == ()
    assert library.problems in ((UNREADABLE,), ("Dropped a saved voice from your saved voices: it is not a saved voice.",))


def test_nothing_saved_yet_is_no_problem():
    for raw in (None, {}, []):
        assert Library.read(raw) == Library()


def test_copies_and_entries_over_the_limit_are_dropped(stored):
    entry = stored["voices"][0]
    library = Library.read({**stored, "voices": [entry] * (MAX_VOICES + 5)})
    assert len(library.voices) == 1
    assert any("second copy" in problem for problem in library.problems)
    assert any("over the limit" in problem for problem in library.problems)


def test_a_bad_modelslab_link_is_ignored_but_the_voice_kept(stored):
    library = Library.read(with_entry(stored, modelslab={"voice_id": "x", "account": "not-hex", "tier": "enterprise"}))
    assert library.voices[0].modelslab is None and library.problems == ()


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_reads_as_a_library_without_raising(raw):
    Library.read(raw)
    Library.read({"format": "voice-clone-studio/voices", "voices": [raw, raw]})


def test_names_that_a_script_line_can_use():
    assert clean_name("  Anna   Maria ") == "Anna Maria"
    assert clean_name("Zoë O'Neil-2") == "Zoë O'Neil-2"
    for bad in ("", "Narrator: x", "Bob (happy)", "x" * 41, "<b>", "_hidden"):
        with pytest.raises(InputError):
            clean_name(bad)


def test_the_storage_estimate_grows_with_the_audio(stored):
    one = stored_chars(stored)
    assert 1.2 < one / len(json.dumps(stored)) < 1.45  # base64 of the encrypted JSON
    assert one < STORAGE_BUDGET_CHARS / 20


def test_names_must_be_unique_and_the_browser_must_have_room(stored):
    library = Library.read(stored)
    (voice,) = library.voices
    with pytest.raises(InputError, match="already have a voice called"):
        library.added(voice.renamed("anna maria"))
    big = voice.__class__(**{**voice.__dict__, "uid": "0" * 12, "name": "Big"})
    crowded = Library(tuple(big.__class__(**{**big.__dict__, "uid": f"{i:012x}", "name": f"V {i}"}) for i in range(29)))
    assert len(crowded.voices) == 29
    with pytest.raises(InputError, match="keeps up to 30"):
        crowded.added(voice).added(big)


# -- one voice as a file ----------------------------------------------------------------------------


def test_export_then_import_gives_the_same_voice(stored):
    (voice,) = Library.read(stored).voices
    data = export_bytes(voice)
    assert export_name(voice) == "Anna-Maria.voice.json"
    imported = read_voice_file(data, Library())
    assert imported.to_json() == voice.to_json()
    again = read_voice_file(data, Library((voice,)))  # imported twice: a new id and a free name
    assert again.uid != voice.uid and again.name == "Anna Maria 2" and again.audio == voice.audio


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "not a voice file"),
        (b'{"format": "something else"}', "not a voice file from this app"),
        (b"{" + b" " * 400_000 + b"}", "MB"),
    ],
)
def test_a_file_that_is_not_a_voice_file_is_refused(data, message):
    with pytest.raises(InputError, match=message):
        read_voice_file(data, Library())


def test_a_tampered_voice_file_is_refused(stored):
    document = json.loads(export_bytes(Library.read(stored).voices[0]))
    audio = bytearray(base64.b64decode(document["voice"]["audio"]))
    audio[500] ^= 0xFF
    document["voice"]["audio"] = base64.b64encode(bytes(audio)).decode()
    with pytest.raises(InputError, match="checksum"):
        read_voice_file(json.dumps(document).encode(), Library())
    document["voice"]["sha256"] = hashlib.sha256(bytes(audio)).hexdigest()  # a careful forger
    assert read_voice_file(json.dumps(document).encode(), Library()).audio == bytes(audio)


def test_a_save_that_would_overflow_the_browser_is_refused(stored):
    (voice,) = Library.read(stored).voices
    heavy = voice.__class__(**{**voice.__dict__, "audio": b"OggS" + b"OpusHead" + bytes(230_000)})
    library = Library()
    with pytest.raises(InputError, match="storage for this site is full"):
        for i in range(20):  # 230 kB each: about 0.41 million characters in the browser
            library = library.added(heavy.__class__(**{**heavy.__dict__, "uid": f"{i:012x}", "name": f"V {i}"}))
    assert 10 <= len(library.voices) < 20
    assert stored_chars(library.to_value()) <= STORAGE_BUDGET_CHARS
