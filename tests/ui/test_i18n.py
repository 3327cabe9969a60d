"""The page's languages: every table complete, every message the code can raise found in the catalogue,
values carried over, the page's own words all keyed, and each open page answered in its language."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from components.errors import VoiceCloneError
from components.ui.i18n.catalogue import (
    DEFAULT_LOCALE,
    LOCALES,
    Catalogue,
    catalogue,
    compile_template,
    supported_locale,
)
from components.ui.i18n.visitors import VisitorLocales, accepted_locale

REPO = Path(__file__).resolve().parents[2]
FIELD = re.compile(r"\{(\w+)\}")
OTHER_LOCALES = [code for code, _ in LOCALES if code != DEFAULT_LOCALE]
SIX_MOST_SPOKEN = {"zh-CN", "hi", "es", "ar", "fr", "ru"}


def test_the_page_speaks_english_and_the_six_most_spoken_of_the_apps_languages():
    assert set(catalogue().locales) == {"en"} | SIX_MOST_SPOKEN


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_every_language_has_every_key_with_the_same_fields(locale):
    english, table = catalogue().tables["en"], catalogue().tables[locale]
    assert set(table) == set(english), set(table) ^ set(english)
    for key, text in english.items():
        assert table[key].strip(), key
        assert set(FIELD.findall(table[key])) == set(FIELD.findall(text)), (key, table[key])
        assert table[key].count("**") == text.count("**"), (key, table[key])  # markdown kept whole


def test_a_translated_table_really_differs_from_english():
    english = catalogue().tables["en"]
    for locale in OTHER_LOCALES:
        same = [key for key, text in catalogue().tables[locale].items() if text == english[key]]
        # Only brand names and the like may read the same ('ModelsLab API', 'Standard (v6)', 'hindi').
        assert len(same) <= 8, (locale, same)


# --- every message the code raises is in the catalogue ----------------------------------------

def _error_classes() -> set[str]:
    import components.errors as errors

    return {name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, VoiceCloneError)}


def _sample(node: ast.AST, module) -> str | None:
    """The message a call could produce, with every computed field filled by 'X'."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        # A computed part of a concatenation ('", ".join(missing)') is a field like any other.
        return (_sample(node.left, module) or "X") + (_sample(node.right, module) or "X")
    if isinstance(node, ast.Name) and isinstance(getattr(module, node.id, None), str):
        return getattr(module, node.id)
    return None


def raised_messages() -> list[tuple[str, str]]:
    """(where, message) for every VoiceCloneError the code constructs with a written message."""
    classes, found = _error_classes(), []
    for path in sorted((REPO / "components").rglob("*.py")):
        if "ui" in path.relative_to(REPO / "components").parts:
            continue
        module = importlib.import_module(".".join(path.relative_to(REPO).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in classes and node.args:
                message = _sample(node.args[0], module)
                assert message is not None, f"{path}:{node.lineno}: a message the test cannot read"
                found.append((f"{path.relative_to(REPO)}:{node.lineno}", message))
    return found


def test_the_scan_finds_the_apps_messages():
    assert len(raised_messages()) >= 50


@pytest.mark.parametrize(("where", "message"), raised_messages())
def test_every_message_the_code_raises_has_a_template(where, message):
    assert catalogue().match(message) is not None, f"{where}: add an English template for {message!r}"
    assert catalogue().translate(message, "fr") != message, where


# --- translation keeps the values and translates what it knows -------------------------------

def test_a_message_keeps_its_numbers_in_another_language():
    message = "The text is 3000 characters; the limit is 2500. Shorten it, or split it into several clips."
    assert catalogue().translate(message, "es") == (
        "El texto tiene 3000 caracteres; el límite es 2500. Acórtalo o divídelo en varios clips."
    )


def test_catalogued_values_inside_a_message_are_translated_too():
    message = (
        "The text is written in Japanese kana, but the language is German. "
        "Choose japanese as the language, or type the text in German."
    )
    said = catalogue().translate(message, "fr")
    assert "kana japonais" in said and "Allemand" in said and "japonais comme langue" in said, said


def test_a_fragment_with_its_own_spacing_is_translated():
    message = 'ModelsLab rejected the API key (HTTP 401). ModelsLab said: "bad key" Check the key, then try again.'
    said = catalogue().translate(message, "ru")
    assert said.startswith("ModelsLab отклонил API-ключ (HTTP 401). ModelsLab ответил: «bad key»"), said


def test_details_and_reports_are_translated_line_by_line_and_unknown_lines_stay():
    details = "**Backend:** offline (engine on this server)\n\n- Removed 1.2 s of silence at the start.\n\nSomething new."
    said = catalogue().translate(details, "es")
    assert said.splitlines() == [
        "**Motor:** offline (motor en este servidor)", "", "- Se quitaron 1.2 s de silencio al principio.", "",
        "Something new.",
    ]


def test_english_and_unknown_locales_leave_text_alone():
    text = "The file could not be read. Upload it again."
    assert catalogue().translate(text, "en") == text
    assert catalogue().translate(text, "xx") == text
    assert catalogue().translate("", "fr") == ""


def test_a_template_matches_whole_messages_only():
    template = compile_template("k", "Removed {seconds} s of silence at the start.")
    assert template.pattern.fullmatch("Removed 2 s of silence at the start.")
    assert not template.pattern.fullmatch("Removed 2 s of silence at the start. And more.")


def test_a_missing_translation_falls_back_to_english_never_to_the_key():
    words = Catalogue({"en": {"a.key": "Hello {name}"}, "fr": {}})
    assert words.text("a.key", "fr", name="Ana") == "Hello Ana"
    assert words.translate("Hello Ana", "fr") == "Hello Ana"


# --- the page's own words ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    from components.wiring import build_app
    from tests.conftest import app_settings

    demo, _ = build_app(app_settings(None))
    return demo


def test_every_word_on_the_page_is_in_the_catalogue(demo):
    from components.ui.i18n.localise import localise

    assert localise(demo) == []  # run again: nothing left in plain English


def test_each_worded_prop_became_a_key_that_every_language_translates(demo):
    from gradio.i18n import I18nData

    from components.ui.i18n.localise import TEXT_PROPS, page_i18n

    tables = page_i18n().translations
    keys = []
    for block in demo.blocks.values():
        for prop in TEXT_PROPS:
            value = getattr(block, prop, None)
            if isinstance(value, I18nData):
                keys.append(value.key)
            else:
                assert not (isinstance(value, str) and value.strip()), (block, prop, value)
    assert len(keys) > 15
    for locale in OTHER_LOCALES:
        for key in keys:
            assert tables[locale][key] and "__i18n__" not in tables[locale][key], (locale, key)
        assert tables[locale]["Text to speak"] != "Text to speak", locale


# --- which language a request is answered in -----------------------------------------------------

@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
        ("de-DE,de;q=0.9,es;q=0.5", "es"),
        ("zh-TW,zh;q=0.9", "zh-CN"),
        ("en;q=0.1, ar;q=0.9", "ar"),
        ("de, *;q=0.5", None),
        ("", None),
        ("hi;q=abc", None),
    ],
)
def test_accept_language_picks_the_first_language_the_app_speaks(header, locale):
    assert accepted_locale(header) == locale


def test_supported_locale_normalises_browser_tags():
    assert supported_locale("ES-mx") == "es"
    assert supported_locale("zh_Hant") == "zh-CN"
    assert supported_locale("de") is None


def _request(session: str, accept: str = "") -> SimpleNamespace:
    return SimpleNamespace(session_hash=session, headers={"accept-language": accept})


def test_each_page_is_answered_in_its_own_language():
    pages = VisitorLocales()
    assert pages.remember(_request("a"), "fr") == "fr"
    assert pages.remember(_request("b"), "ru") == "ru"
    assert pages.locale(_request("a")) == "fr" and pages.locale(_request("b")) == "ru"
    assert pages.locale(_request("c", "es-ES,es")) == "es"  # not said yet: the browser's language
    assert pages.locale(_request("d")) == "en"
    assert pages.locale(None) == "en"


def test_an_unknown_language_changes_nothing_and_a_closed_page_is_forgotten():
    pages = VisitorLocales()
    pages.remember(_request("a"), "fr")
    assert pages.remember(_request("a"), "klingon") == "fr"
    pages.forget(_request("a"))
    assert pages.locale(_request("a")) == "en" and len(pages) == 0


def test_the_pages_remembered_are_bounded():
    pages = VisitorLocales(capacity=3)
    for number in range(10):
        pages.remember(_request(f"s{number}"), "es")
    assert len(pages) == 3
    assert pages.locale(_request("s0")) == "en" and pages.locale(_request("s9")) == "es"
