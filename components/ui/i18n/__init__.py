"""The page in the visitor's language: English and the six most spoken of the app's languages
(Chinese, Hindi, Spanish, Arabic, French, Russian).

Two halves. The page's fixed words are translated in the browser by Gradio's own i18n
(`localise` turns them into keys after the page is built; `page_i18n()` goes to launch()). What the
server says (errors, the sample report, details, progress, the list of takes) is translated on the
server into the language the page reported (`Translator`), from English templates matched in the
catalogue. Tables: `locales/<code>.json`, one key per line.

New words on the page or a new message: add the English under a new key to `locales/en.json` (a
value that varies is a `{field}`; a fixed sub-phrase that can appear in several messages can be its
own `frag.` entry and is translated wherever it lands), and the same key to every other table.
`page.`/`frag.` keys are the page's own words, translated in the browser; the others are said by
the server. tests/ui/test_i18n.py names whatever is missing.

Exposes: `Translator`, `localise`, `page_i18n`, `language_switch`, `wire_language_switch`,
`catalogue`, `LOCALES`.
May import: gradio (for the i18n types), nothing else of the app.
"""

from __future__ import annotations

import gradio as gr

from components.ui.i18n.catalogue import DEFAULT_LOCALE, LOCALES, Catalogue, catalogue
from components.ui.i18n.localise import localise, page_i18n
from components.ui.i18n.switch import language_switch, wire_language_switch
from components.ui.i18n.visitors import VisitorLocales


class Translator:
    """Says the server's English in the language of the page that asked."""

    def __init__(self, locales: VisitorLocales | None = None, words: Catalogue | None = None):
        self.locales = locales or VisitorLocales()
        self._words = words

    @property
    def words(self) -> Catalogue:
        return self._words or catalogue()

    def locale(self, request) -> str:
        return self.locales.locale(request)

    def say(self, english: str, request=None, *, locale: str | None = None) -> str:
        """`english` in the page's language (unchanged when no template fits it)."""
        return self.words.translate(english, locale or self.locale(request))

    def text(self, key: str, request=None, *, locale: str | None = None, **values) -> str:
        """Catalogue entry `key` in the page's language, its fields filled with `values`."""
        return self.words.text(key, locale or self.locale(request), **values)

    def remember(self, locale: str, request: gr.Request = None) -> str:
        """Event handler: the page says which language it shows now."""
        return self.locales.remember(request, locale)

    def forget(self, request: gr.Request = None) -> None:
        """Event handler: the page closed."""
        self.locales.forget(request)


__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "Translator",
    "catalogue",
    "language_switch",
    "localise",
    "page_i18n",
    "wire_language_switch",
]
