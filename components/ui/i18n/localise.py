"""After the page is built: every English word on it that the catalogue knows becomes a Gradio i18n key.

Why a pass over the finished page instead of `label=i18n(...)` at every component: the page is
written by several people in plain English, and a new component only needs its words in the
catalogue to be translated, not a change to the line that creates it.

The key is the English text itself, so wherever a translation is missing the browser shows the
English words, never a key. Gradio's browser code translates label, info, placeholder and value
props and choice labels, and re-translates them live when the language changes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import gradio as gr
from gradio.i18n import I18nData

from components.ui.i18n.catalogue import BROWSER_PREFIXES, Catalogue, catalogue

TEXT_PROPS = ("label", "info", "placeholder")
"""Props that hold words on any component (its value is the visitor's data, except below)."""
WORDED_VALUES = (gr.Markdown, gr.Button)
"""Components whose value is page wording, not the visitor's data."""
MARKER = "__i18n__"
KEEP_CHOICES = "keep-choices"
"""elem_classes mark for choices that read the same in every language (the language switch's
names, each written in its own language)."""


@functools.cache
def page_i18n() -> gr.I18n:
    """The one gr.I18n handed to launch(); `localise` adds each page's words to it.

    Shared by every page built in this process (tests build several): its entries are keyed by
    the English text, so a page can only add the same translation of the same words.
    """
    return gr.I18n(**{locale: {} for locale in catalogue().locales})


def localise(demo: gr.Blocks, words: Catalogue | None = None) -> list[str]:
    """Swap the page's known English words for i18n keys; returns the words the catalogue lacks.

    What it lacks stays English on every page (a test lists them: there should be none).
    """
    words = words or catalogue()
    tables = page_i18n().translations
    missing: list[str] = []

    def key_for(english: str) -> str | None:
        if english.startswith(MARKER):
            return None  # localised already
        if english in tables[words.locales[0]]:
            return english
        found = words.match(english)
        if found is None or not found[0].startswith(BROWSER_PREFIXES):
            missing.append(english)
            return None
        for locale in words.locales:
            tables[locale][english] = words.translate(english, locale)
        return english

    for block in demo.blocks.values():
        for owner, prop, english in worded_props(block):
            key = key_for(english)
            if key is not None:
                set_prop(owner, prop, key)
    return missing


def worded_props(block) -> Iterator[tuple[object, str | int, str]]:
    """(owner, prop, English text) for each piece of page wording on one block."""
    for prop in TEXT_PROPS:
        value = getattr(block, prop, None)
        if isinstance(value, str) and value.strip():
            yield block, prop, value
    if isinstance(block, WORDED_VALUES) and isinstance(block.value, str) and block.value.strip():
        yield block, "value", block.value
    choices = getattr(block, "choices", None)
    if isinstance(choices, list) and KEEP_CHOICES not in (getattr(block, "elem_classes", None) or []):
        for index, choice in enumerate(choices):
            if isinstance(choice, (tuple, list)) and isinstance(choice[0], str) and choice[0].strip():
                yield choices, index, choice[0]


def set_prop(owner, prop: str | int, key: str) -> None:
    """Point one prop at its i18n key; choice labels and label-like props take the key object,
    values take the marker string the browser looks for in string values."""
    if isinstance(owner, list):
        owner[prop] = (I18nData(key), owner[prop][1])
        return
    marker = str(I18nData(key)) if prop == "value" else I18nData(key)
    setattr(owner, prop, marker)
    args = getattr(owner, "constructor_args", None)
    if isinstance(args, dict) and prop in args:
        # Gradio rebuilds a component from these when an event updates it; keep them in step.
        args[prop] = marker
