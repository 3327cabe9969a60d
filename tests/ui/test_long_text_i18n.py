"""What long text says (a failed part, a part made again, progress) is said in the page's language too."""

from __future__ import annotations

import pytest

from components.backends import CloneRequest
from components.errors import JobFailedError
from components.long_form.notes import part_failed
from components.long_form.parts import PartJob
from components.script import Part
from components.stitch import judge_duration
from components.ui.i18n import catalogue
from components.ui.long_text import streaming_note

JOB = PartJob(6, 25, Part("The rain had stopped by the time we reached the station."), CloneRequest(text="x"))


@pytest.mark.parametrize("locale", ["fr", "zh-CN", "hi", "es", "ar", "ru"])
def test_a_failed_part_is_named_in_the_pages_language(locale):
    error = JobFailedError('ModelsLab could not finish the job (job 42): "lost". Check the inputs, then press Generate to try again.')
    english = part_failed(JOB, error, 6)
    said = catalogue().translate(english, locale)
    assert said != english and "7" in said and "25" in said and "6" in said and "42" in said
    assert "The clip could not be finished" not in said and "made before it stopped" not in said, said
    assert "part 7 of 25" not in said, said


def test_a_part_made_again_and_the_live_note_are_translated():
    problem = judge_duration(0.4, JOB.part.text, "english")
    note = f"{JOB.label.capitalize()} was made again: it {problem}."
    said = catalogue().translate(note, "fr")
    assert said.startswith("La partie 7 sur 25") and "il manque probablement des mots" in said, said
    assert catalogue().translate(streaming_note(3, 25), "es").startswith("Parte 3 de 25 lista")
