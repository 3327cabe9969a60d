"""The sample report and the details panel, made by the real code, said in each language line by line:
no line of them is left in English."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from components.backends import CloneResult
from components.clone_service import render_details
from components.reference import prepare
from components.ui import texts
from components.ui.i18n.catalogue import LOCALES, catalogue
from tests.audio_factory import speech_samples

OTHER_LOCALES = [code for code, _ in LOCALES if code != "en"]


@pytest.fixture(scope="module")
def busy_reference(tmp_path_factory):
    """Real speech with something for the report to say about every step: a telephone rate, stereo,
    silence at both ends, a long pause, too quiet."""
    samples, rate = speech_samples(9.0), 22050
    pause, edge = np.zeros(int(rate * 2.0), "float32"), np.zeros(int(rate * 1.0), "float32")
    half = len(samples) // 2
    mono = np.concatenate([edge, samples[:half], pause, samples[half:], edge]) * 0.05
    low = mono[::2]  # 11.025 kHz
    path = tmp_path_factory.mktemp("report") / "busy.wav"
    sf.write(path, np.stack([low, low], axis=1), rate // 2, subtype="PCM_16")
    return prepare(path, target_rate=24000)


def english_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_the_reference_report_has_plenty_to_say(busy_reference):
    assert len(busy_reference.report) >= 5, busy_reference.report


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_every_line_of_the_sample_report_is_translated(busy_reference, locale):
    report = texts.reference_report(busy_reference)
    said = catalogue().translate(report, locale)
    for english, translated in zip(english_lines(report), english_lines(said), strict=True):
        assert english != translated, (locale, english)
    numbers = [token for token in report.replace("(", " ").split() if token[:1].isdigit()]
    for number in numbers[:3]:
        assert number.rstrip(".,;)") in said, (locale, number)  # the values are carried over


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_every_line_of_the_details_is_translated(busy_reference, tmp_path, locale):
    result = CloneResult(
        audio_path=tmp_path / "x.wav", backend="offline", job_id="42",
        timings=(("prepare", 0.1), ("synthesis", 1.2)),
        notes=(
            "Offline voice matching (approximate, not cloning): pitch moved from 120 Hz to 180 Hz, "
            "formants ×1.10.",
            "ModelsLab voice ids are not available offline; the built-in voice was used.",
        ),
    )
    timings = (*result.timings, ("total", 1.3))
    details = render_details(result, busy_reference, "german", "happy", timings)
    said = catalogue().translate(details, locale)
    for english, translated in zip(english_lines(details), english_lines(said), strict=True):
        assert english != translated, (locale, english)
