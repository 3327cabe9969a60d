"""The voice-match score: cosine -> percent and band, the details line, and the bar picture."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from components.voice_match import bar_html, embed, score_clip
from components.voice_match.score import (
    DIFFERENT_PEOPLE_BELOW,
    SAME_PERSON_FROM,
    VoiceMatch,
    similarity,
)
from tests.voice_match import cases


def test_similarity_is_the_cosine_and_checks_its_input():
    assert similarity([1, 0], [0, 2]) == pytest.approx(0.0)
    assert similarity([1, 1], [2, 2]) == pytest.approx(1.0)
    assert similarity([1, 0], [-3, 0]) == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        similarity([1, 0], [1, 0, 0])
    with pytest.raises(ValueError):
        similarity([0, 0], [1, 0])


@pytest.mark.parametrize(
    ("cosine", "percent", "band"),
    [
        (0.93, 93, "same person"),
        (SAME_PERSON_FROM, 80, "same person"),
        (0.7, 70, "borderline"),
        (DIFFERENT_PEOPLE_BELOW, 66, "borderline"),
        (0.655, 66, "borderline"),  # decided on the percent shown: 66% is not "below 66%"
        (0.654, 65, "different people"),
        (0.31, 31, "different people"),
        (-0.2, 0, "different people"),
    ],
)
def test_percent_is_the_cosine_and_the_band_follows_the_calibration(cosine, percent, band):
    match = VoiceMatch.from_cosine(cosine)
    assert (match.percent, match.band) == (percent, band)


def test_details_line_says_voice_match_and_that_it_is_an_estimate():
    line = VoiceMatch.from_cosine(0.72).details_line()
    assert line.startswith("Voice match: 72% (")
    assert "speaker-encoder estimate" in line
    assert "66%" in line and "80%" in line


def test_bands_hold_on_real_readers():
    """A reading scored against another reading by the same reader, and against another reader."""
    same_a, same_b = cases.same_speaker_sets()["2033"][:2]
    reference = embed(cases.load(same_a), cases.RATE)
    same = score_clip(cases.load(same_b), cases.RATE, reference)
    assert same.band == "same person", same
    other = score_clip(cases.load(cases.speakers()[0]["file"]), cases.RATE, reference)
    assert other.band == "different people", other


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.attrs = [], [], {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.setdefault(tag, []).append(dict(attrs))

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("cosine", [0.0, 0.02, 0.5, 0.72, 0.91, 1.0])
def test_bar_shows_the_percent_the_zones_and_an_accessible_label(cosine):
    match = VoiceMatch.from_cosine(cosine)
    html = bar_html(match)
    page = _parse(html)
    assert set(page.tags) == {"div", "svg", "title", "rect", "line", "text"}
    svg = page.attrs["svg"][0]
    assert svg["role"] == "img"
    assert svg["aria-label"] == match.description()
    assert f"{match.percent}%" in page.text
    assert "different people" in page.text and "same person" in page.text
    marker = float(page.attrs["line"][0]["x1"])
    assert marker == pytest.approx(3.0 * match.percent, abs=0.1)
    zones = page.attrs["rect"]
    assert float(zones[1]["width"]) == pytest.approx(300 * DIFFERENT_PEOPLE_BELOW, abs=0.1)
    assert float(zones[2]["x"]) == pytest.approx(300 * SAME_PERSON_FROM, abs=0.1)


def test_bar_holds_only_its_own_fixed_text():
    """No parameter carries text in: every text node is the percent, a zone name or the label."""
    match = VoiceMatch.from_cosine(0.64)
    page = _parse(bar_html(match))
    allowed = {"64%", "different people", "same person", match.description()}
    assert set(page.text) <= allowed
    assert not re.search(r"<script|on\w+=|javascript:|href=", bar_html(match), re.IGNORECASE)


def test_score_clip_is_consistent_with_similarity():
    a = cases.load(cases.speakers()[2]["file"])
    b = cases.load(cases.speakers()[4]["file"])
    reference = embed(b, cases.RATE)
    match = score_clip(a, cases.RATE, reference)
    assert match.cosine == pytest.approx(similarity(embed(a, cases.RATE), reference), abs=1e-6)
    assert isinstance(match.percent, int) and 0 <= match.percent <= 100
    assert np.isfinite(match.cosine)
