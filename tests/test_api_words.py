"""API callers read English: the public endpoints' parameters and returns are named in words, while
the page itself stays translated (its labels are still i18n keys for the browser).

Before: every label in `/gradio_api/info` and `view_api()` was a translation object
(`{"key": ..., "_type": "translation_metadata"}`) and unlabelled returns were `value_<id>`.
"""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.conftest import app_settings, running_app

CONTRACT = {
    "/clone": ["text", "reference", "voice_id", "language", "emotion", "backend", "api_key"],
    "/voices": ["api_key"],
    "/save_voice": ["reference", "name", "language", "consent", "api_key", "tier"],
}
EXPECTED_LABELS = {
    ("/clone", "text"): "Text to speak",
    ("/clone", "language"): "Language",
    ("/clone", "emotion"): "Emotion",
    ("/save_voice", "name"): "Name this voice",
}
EXPECTED_RETURNS = {
    "/clone": ["Audio", "Details"],
    "/voices": ["Voices"],
    "/save_voice": ["Voice id", "Details"],
}


@pytest.fixture(scope="module")
def app():
    with running_app(app_settings(None)) as (client, service):
        yield client, service


def test_view_api_names_every_parameter_and_return_in_english(app):
    client, _ = app
    info = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    for endpoint, names in CONTRACT.items():
        parameters = info[endpoint]["parameters"]
        assert [p["parameter_name"] for p in parameters][: len(names)] == names
        for parameter in parameters:
            label = parameter["label"]
            assert isinstance(label, str) and label.strip() and "__i18n__" not in label, (endpoint, label)
            expected = EXPECTED_LABELS.get((endpoint, parameter["parameter_name"]))
            assert expected is None or label == expected
        assert [r["label"] for r in info[endpoint]["returns"]] == EXPECTED_RETURNS[endpoint]
    printed = client.view_api(return_format="str", print_info=False)
    assert "-> (audio, details)" in printed
    assert "-> (voice_id, details)" in printed and "-> voices" in printed
    assert not re.search(r"\bvalue_\d+|\] key:", printed), printed


@pytest.mark.parametrize(
    "path", ["/gradio_api/info", "/gradio_api/info?all_endpoints=true", "/gradio_api/openapi.json", "/gradio_api/mcp/schema"]
)
def test_no_translation_object_reaches_an_api_caller(app, path):
    client, _ = app
    answer = requests.get(client.src.rstrip("/") + path, timeout=10)
    assert answer.status_code == 200
    text = json.dumps(answer.json(), ensure_ascii=False)
    assert "translation_metadata" not in text and "__i18n__" not in text
    if path.startswith("/gradio_api/info"):
        assert "Voice sample — 4–30 s of one person speaking (ideally 10–25 s)" in text


def test_the_page_is_still_translated(app):
    client, _ = app
    page = requests.get(client.src.rstrip("/") + "/config", timeout=10).json()
    text_box = next(c for c in page["components"] if c.get("props", {}).get("elem_id") == "text")
    assert text_box["props"]["label"].startswith("__i18n__") and "Text to speak" in text_box["props"]["label"]
    assert page["i18n_translations"]["es"]["Text to speak"] == "Texto que dirá la voz"


def test_every_form_of_an_i18n_label_reads_as_english():
    from gradio.i18n import I18nData

    from components.ui.api_words import english

    key = "Text to speak"
    as_sent = {"key": key, "_type": "translation_metadata"}  # what /gradio_api/info sent before
    for label in (I18nData(key), I18nData(key).to_dict(), as_sent, str(I18nData(key))):
        assert english(label) == key, label
    assert english("Plain words") == "Plain words" and english(None) is None
    assert english("__i18n__{not json") == "__i18n__{not json"
