"""Finding a voice by id or name, what a backend is sent for it, saving it (browser and ModelsLab
account), and `/voices`' list, against the loopback emulator."""

from __future__ import annotations

import pytest

from components.errors import ApiAuthError, AudioInputError, InputError
from components.library import EXAMPLE_VOICES, Library, accent_note
from components.library.account import account_fingerprint
from tests.fakes.modelslab_emulator import VALID_KEY
from tests.library.conftest import saved


def test_an_example_voice_by_id_or_by_name(library):
    for name in ("example:owen", "Owen", "owen", " OWEN "):
        choice = library.resolve(name)
        assert (choice.source, choice.language) == ("example", "english")
    use = library.resolve("example:owen").for_backend("modelslab", VALID_KEY)
    assert use.voice_id == "" and 10 < use.reference.duration_s < 20
    assert "LibriSpeech reader 4813" in use.note


def test_a_saved_voice_by_id_or_by_name_and_what_it_sends(library, sample_8s):
    outcome = saved(library, sample_8s, name="Anna")
    value = outcome.library.to_value()  # what the browser sends back
    by_id = library.resolve(outcome.voice.picker_value, value)
    by_name = library.resolve("anna", value)
    assert by_id.label == by_name.label == "your saved voice “Anna”"
    use = by_name.for_backend("modelslab", VALID_KEY)
    assert use.voice_id == "" and use.reference.duration_s == pytest.approx(outcome.voice.seconds)
    assert library.resolve("Anna", value).for_backend("local", "").reference is not None


def test_a_voice_on_the_account_is_sent_by_id_only_with_that_account(library, sample_8s, emulator):
    outcome = saved(library, sample_8s, name="Bea", to_account=True, api_key=VALID_KEY, tier="standard")
    link = outcome.voice.modelslab
    assert link.voice_id == "bea" and link.account == account_fingerprint(VALID_KEY)
    assert "voice id `bea`" in " ".join(outcome.notes)
    choice = library.resolve("Bea", outcome.library.to_value())
    use = choice.for_backend("modelslab", VALID_KEY)
    assert (use.reference, use.voice_id) == (None, "bea")
    assert "no sample uploaded" in use.note
    other = library.resolve("Bea", outcome.library.to_value()).for_backend("modelslab", "another-key-123456")
    assert other.voice_id == "" and other.reference is not None  # another account: the sample goes
    assert library.resolve("Bea", outcome.library.to_value()).for_backend("local", "").reference is not None


def test_an_account_voice_by_name_needs_a_key(library):
    choice = library.resolve("Tom Hank", None, VALID_KEY)
    assert (choice.source, choice.modelslab_voice_id) == ("modelslab", "tom_hank")
    assert choice.for_backend("modelslab", VALID_KEY).voice_id == "tom_hank"
    with pytest.raises(InputError, match="no voice called “Tom Hank”.*Owen"):
        library.resolve("Tom Hank", None, "")


def test_an_unknown_voice_names_the_ones_there_are(library, sample_8s):
    value = saved(library, sample_8s, name="Cleo").library.to_value()
    with pytest.raises(InputError, match="no voice called “Nobody”. Voices you can use: Cleo, Owen"):
        library.resolve("Nobody", value)
    with pytest.raises(InputError, match="no longer in this browser"):
        library.resolve("saved:0123456789ab", value)
    with pytest.raises(InputError, match="no example voice"):
        library.resolve("example:nobody")


def test_saving_needs_consent_a_name_and_the_samples_language(library, sample_8s, emulator):
    with pytest.raises(InputError, match="consent"):
        library.save(sample_8s, name="Dan", language="english", consent=False, library=Library())
    with pytest.raises(InputError, match="name"):
        library.save(sample_8s, name="", language="english", consent=True, library=Library())
    with pytest.raises(InputError, match="language spoken"):
        library.save(sample_8s, name="Dan", language=None, consent=True, library=Library())
    with pytest.raises(InputError, match="Record or upload"):
        library.save(None, name="Dan", language="english", consent=True, library=Library())
    assert emulator.requests == []


def test_a_failed_account_upload_keeps_the_browser_copy_and_says_why(library, sample_8s, emulator):
    emulator.reset(mode="voice_upload_error")
    outcome = saved(library, sample_8s, name="Eli", to_account=True, api_key=VALID_KEY, tier="standard")
    assert outcome.voice.modelslab is None and len(outcome.library.voices) == 1
    assert "Not saved to your ModelsLab account" in outcome.notes[-1] and "10 and 25 seconds" in outcome.notes[-1]


def test_a_sample_too_short_to_be_a_voice_is_not_saved(library, tmp_path):
    from tests.audio_factory import speech_wav

    with pytest.raises(AudioInputError, match="speech"):
        saved(library, speech_wav(tmp_path / "short.wav", 3.0))


def test_save_to_account_for_the_api(library, sample_8s, emulator):
    with pytest.raises(InputError, match="consent=True"):
        library.save_to_account(sample_8s, name="Fay", language="english", consent=False, api_key=VALID_KEY, tier="standard")
    with pytest.raises(InputError, match="needs an API key"):
        library.save_to_account(sample_8s, name="Fay", language="english", consent=True, api_key="", tier="standard")
    assert emulator.requests == []  # nothing uploaded
    voice_id, details = library.save_to_account(
        sample_8s, name="Fay", language="french", consent=True, api_key=VALID_KEY, tier="enterprise"
    )
    assert voice_id == "fay" and "`fay`" in details and "no endpoint to delete" in details
    assert emulator.voice_library.voices["fay"].language == "french"
    with pytest.raises(ApiAuthError):
        library.save_to_account(sample_8s, name="Gus", language="english", consent=True, api_key="wrong-key-123456", tier="standard")


def test_the_catalogue_lists_examples_and_with_a_key_the_account(library, sample_8s):
    without = library.catalogue("")
    assert [v["id"] for v in without] == [v.voice_id for v in EXAMPLE_VOICES]
    assert {v["source"] for v in without} == {"example"}
    library.save_to_account(sample_8s, name="Hal", language="english", consent=True, api_key=VALID_KEY, tier="standard")
    with_key = library.catalogue(VALID_KEY)
    account = [v for v in with_key if v["source"] == "modelslab"]
    assert account[0] == {"id": "hal", "name": "Hal", "language": "english", "source": "modelslab"}
    assert {"actor", "tom_hank", "jack_sparrow"} <= {v["id"] for v in account}
    assert all(set(v) == {"id", "name", "language", "source"} for v in with_key)


def test_accent_note():
    assert accent_note("english", "german") == (
        "The voice sample is in English and the text is in German: the result may carry an English accent. "
        "A sample recorded in German works best."
    )
    assert accent_note("german", "german") == "" and accent_note("", "german") == ""
    assert "a German accent" in accent_note("german", "english")


def test_the_account_list_is_cached_briefly_and_refreshed_by_an_upload(library, sample_8s, emulator):
    def lists() -> int:
        return sum(r.path.endswith("/voice_list") for r in emulator.requests)

    library.catalogue(VALID_KEY)
    library.catalogue(VALID_KEY)
    assert lists() == 2  # manual + trained, once
    library.save_to_account(sample_8s, name="Ivy", language="english", consent=True, api_key=VALID_KEY, tier="standard")
    assert "ivy" in {v["id"] for v in library.catalogue(VALID_KEY)}
    assert lists() == 4
    with pytest.raises(ApiAuthError):
        library.catalogue("wrong-key-123456")
