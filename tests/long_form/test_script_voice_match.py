"""A two-voice script's voice match, voice by voice, through /clone (gradio_client) on both backends.

Two real LibriSpeech readers (a man and a woman) speak the named lines; the main voice uses the man's
sample too. Each voice is scored on its own parts against its own sample: run once as it is, and once
with the named voices' samples crossed for the score only (the audio made is the same), each named
voice must score higher against its own sample than against the other's. A whole-clip score could not
pass that for both voices at once.
"""

from __future__ import annotations

import re

import pytest
from gradio_client import handle_file

from components.long_form import Voice
from components.script.lines import name_key
from tests.conftest import app_settings, running_app
from tests.fakes.modelslab_emulator import VALID_KEY
from tests.long_form.named_voices import SHARED_VOICES

MAN = SHARED_VOICES / "speakers" / "4830-25898-0000.flac"
WOMAN = SHARED_VOICES / "speakers" / "8468-286673-0000.flac"
SCRIPT = (
    "Alice: Good morning. The train to the coast leaves at seven, so we should pack tonight.\n"
    "Bruno: I packed already. The bags are by the door, and the tickets are in my coat.\n"
    "The narrator says they both laughed, and went to bed early for once.\n"
    "Alice: Then we only need the sandwiches, the water, and the map of the old town.\n"
    "Bruno: I will make the sandwiches in the morning, while you look for the map."
)
MAIN = re.compile(r"^Voice match: (\d+)% — ", re.MULTILINE)
NAMED = re.compile(r"^Voice match \((\w+)\): (\d+)% — ", re.MULTILINE)


class ScriptVoices:
    """Alice speaks with the man's sample, Bruno with the woman's; `crossed` scores each against the other's."""

    def __init__(self, service, crossed: bool = False):
        man, woman = service.check_reference(MAN), service.check_reference(WOMAN)
        self.voices = {
            "Alice": Voice("Alice", man, scored=woman if crossed else None),
            "Bruno": Voice("Bruno", woman, scored=man if crossed else None),
        }

    def names(self, api_key: str) -> dict[str, str]:
        return {name_key(name): name for name in self.voices}

    def resolve(self, name: str, api_key: str) -> Voice:
        return self.voices[name]


def scores(details: str) -> tuple[int, dict[str, int]]:
    """The main voice's percent and each named voice's, from the details."""
    main = MAIN.search(details)
    assert main, details
    assert details.index(main.group(0)) < min(details.index(m.group(0)) for m in NAMED.finditer(details))
    return int(main.group(1)), {name: int(percent) for name, percent in NAMED.findall(details)}


def own_and_crossed(client, service, **clone):
    results = []
    for crossed in (False, True):
        service.voices = ScriptVoices(service, crossed)
        _, details = client.predict(text=SCRIPT, reference=handle_file(str(MAN)), api_name="/clone", **clone)
        assert "**Parts:** 5" in details, details
        results.append(scores(details))
    return results


def check(own, crossed):
    (main, named), (main_again, named_crossed) = own, crossed
    assert set(named) == set(named_crossed) == {"Alice", "Bruno"}
    for name in ("Alice", "Bruno"):
        assert named[name] > named_crossed[name], (name, named[name], named_crossed[name])
    assert min(main, main_again) > named_crossed["Alice"]  # the man's parts: against his sample vs hers


@pytest.fixture(scope="module")
def offline_app():
    with running_app(app_settings(None)) as (client, service):
        yield client, service


def test_each_voice_of_a_script_is_scored_against_its_own_sample_offline(offline_app):
    own, crossed = own_and_crossed(*offline_app, backend="local")
    check(own, crossed)


def test_each_voice_of_a_script_is_scored_against_its_own_sample_on_modelslab(emulator):
    emulator.reset(mode="success", speech_cps=14, echo_voice=True)
    with running_app(app_settings(emulator)) as (client, service):
        own, crossed = own_and_crossed(client, service, backend="modelslab", api_key=VALID_KEY)
    check(own, crossed)
    (main, named), _ = own, crossed
    # The emulator answers with each part's own sample: a perfect clone of each voice.
    assert main >= 80 and named["Alice"] >= 80 and named["Bruno"] >= 80, (main, named)


def test_a_single_voice_text_still_has_one_voice_match_line(offline_app):
    client, _ = offline_app
    _, details = client.predict(
        text="Good morning. This is one voice, in two short sentences.", reference=handle_file(str(MAN)),
        backend="local", api_name="/clone",
    )
    assert len(MAIN.findall(details)) == 1 and not NAMED.search(details), details


def test_a_script_the_main_voice_does_not_speak_names_whose_lines_the_first_line_scored(offline_app):
    client, service = offline_app
    service.voices = ScriptVoices(service)
    text = "\n".join(line for line in SCRIPT.splitlines() if ":" in line)
    _, details = client.predict(text=text, backend="local", api_name="/clone")
    assert MAIN.search(details) and "on Alice's lines (your own voice speaks none)" in details, details
    assert [name for name, _ in NAMED.findall(details)] == ["Bruno"]


def test_a_saved_voice_a_script_names_is_scored_against_its_sample_when_sent_by_id(emulator):
    """The voice library's path: Cara is saved to the key's ModelsLab account, so her lines go as her
    voice id with no sample; her voice match still compares them with her saved sample."""
    from components.clone_service import CloneOutcome
    from components.library import Library

    emulator.reset(speech_cps=14)
    with running_app(app_settings(emulator)) as (_, service):
        saved = service.library.save(
            str(WOMAN), name="Cara", language="english", consent=True, library=Library(), to_account=True,
            api_key=VALID_KEY, tier="standard",
        )
        outcome = next(item for item in service.run(
            text="Good morning, Cara.\nCara: Good morning to you. The coffee is ready, and so is the toast.",
            reference=str(MAN), backend="modelslab", api_key=VALID_KEY, saved_voices=saved.library.to_value(),
        ) if isinstance(item, CloneOutcome))  # fmt: skip
    cara = next(r.body for r in emulator.submissions() if r.body["prompt"].startswith("Good morning to you"))
    assert cara["voice_id"] == "cara" and "init_audio" not in cara
    # The emulator's tone sounds like nobody: scored (not "not measured"), and low.
    found = re.search(r"^Voice match \(Cara\): (\d+)% — ", outcome.details, re.MULTILINE)
    assert found and int(found.group(1)) < 66, outcome.details
