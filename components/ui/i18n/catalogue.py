"""The page's words in every language it speaks: stable keys -> templates, one JSON table per language.

Why English templates that are *matched*: the app's messages are written in plain English where they
arise (the reference pipeline, the ModelsLab client, the offline engine...), below the page, by
several people, and those layers know nothing of languages. Each English template here has named
`{fields}`; a message that fits one is said again in the visitor's language with the same values,
at the one place where text reaches a person (the page). A message no template fits stays English,
never garbled. tests/ui/test_i18n.py checks that the templates still fit what the code
writes, and that every language has every key.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

LOCALES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("zh-CN", "中文"),
    ("hi", "हिन्दी"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("fr", "Français"),
    ("ru", "Русский"),
)
"""(locale code as Gradio's frontend names it, the language's own name), English first."""
DEFAULT_LOCALE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
BROWSER_PREFIXES = ("page.", "frag.")
"""Keys the browser translates itself (static page words); the rest are said by the server."""

_TABLES = Path(__file__).with_name("locales")
_FIELD = re.compile(r"\{(\w+)\}")
_MAX_DEPTH = 3


class Template:
    """One English template, to find its fields in a finished message.

    Its regex is compiled only when a text gets past the cheap checks (same fixed start and end):
    the catalogue holds some 400 templates, and compiling them all cost 0.14 s of start-up.
    """

    __slots__ = ("key", "english", "head", "tail", "literal_chars", "_pattern")

    def __init__(self, key: str, english: str):
        self.key, self.english = key, english
        fields = list(_FIELD.finditer(english))
        self.head = english[: fields[0].start()] if fields else english
        self.tail = english[fields[-1].end() :] if fields else english
        self.literal_chars = len(_FIELD.sub("", english))
        """How much fixed text it has: longer templates are tried first (the more specific fit wins)."""
        self._pattern: re.Pattern | None = None

    @property
    def pattern(self) -> re.Pattern:
        if self._pattern is None:
            self._pattern = _regex(self.english)
        return self._pattern

    def fit(self, text: str) -> re.Match | None:
        if not (text.startswith(self.head) and text.endswith(self.tail)):
            return None
        return self.pattern.fullmatch(text)


def _regex(english: str) -> re.Pattern:
    """'{count} / {limit} characters' -> a regex that matches '12 / 2500 characters' whole."""
    parts, seen, last = [], set(), 0
    for field in _FIELD.finditer(english):
        parts.append(re.escape(english[last : field.start()]))
        name = field.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        last = field.end()
    parts.append(re.escape(english[last:]))
    return re.compile("".join(parts), re.DOTALL)


def compile_template(key: str, english: str) -> Template:
    return Template(key, english)


class Catalogue:
    """Every language's table, and the two questions the page asks of them: what is this English
    text (key + values), and how is it said in another language."""

    def __init__(self, tables: dict[str, dict[str, str]]):
        self.tables = tables
        self.templates = _compiled(tables[DEFAULT_LOCALE])
        self._localised: dict[str, list[Template]] = {DEFAULT_LOCALE: self.templates}
        self._exact: dict[str, dict[str, str]] = {}
        """Per language, text -> key for entries without fields (most of the page's words)."""

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self.tables)

    def text(self, key: str, locale: str, **values: str) -> str:
        """The entry `key` in `locale` (English when that language lacks it), fields filled in."""
        template = self.tables.get(locale, {}).get(key) or self.tables[DEFAULT_LOCALE][key]
        return _fill(template, values)

    def match(self, text: str, locale: str = DEFAULT_LOCALE) -> tuple[str, dict[str, str]] | None:
        """(key, field values) of the template this text fits (English unless `locale`), or None."""
        exact = self._exact.get(locale)
        if exact is None:
            table = self.tables.get(locale, {})
            exact = self._exact[locale] = {
                text: key for key, text in reversed(table.items()) if not _FIELD.search(text)
            }  # reversed: where two keys read alike, the first one wins, as in the list below
        if text in exact:
            return exact[text], {}
        templates = self._localised.get(locale)
        if templates is None:
            templates = self._localised[locale] = _compiled(self.tables.get(locale, {}))
        for template in templates:
            found = template.fit(text)
            if found:
                return template.key, found.groupdict()
        return None

    def translate(self, text: str, locale: str, _depth: int = 0) -> str:
        """`text` said in `locale`: a whole-message fit first, else line by line; unknown text stays.

        Field values are translated too when they are themselves catalogued (a language name, a
        reason fragment), so 'Choose German' becomes 'Elige Alemán' and not half of each.
        """
        if not text or locale == DEFAULT_LOCALE or locale not in self.tables or _depth > _MAX_DEPTH:
            return text
        found = self.match(text)
        if found:
            key, values = found
            values = {name: self._translate_value(value, locale, _depth) for name, value in values.items()}
            return self.text(key, locale, **values)
        if "\n" in text:
            return "\n".join(self._translate_line(line, locale, _depth) for line in text.split("\n"))
        return text

    def _translate_line(self, line: str, locale: str, depth: int) -> str:
        bullet = re.match(r"^(\s*[-*] )", line)
        head = bullet.group(1) if bullet else ""
        return head + self.translate(line[len(head) :], locale, depth + 1)

    def _translate_value(self, value: str, locale: str, depth: int) -> str:
        core = value.strip()
        if not core:
            return value
        if self.match(value):  # a fragment that carries its own spacing (' for job 42')
            return self.translate(value, locale, depth + 1)
        start = value.index(core)
        return value[:start] + self.translate(core, locale, depth + 1) + value[start + len(core) :]

    def browser_table(self, locale: str) -> dict[str, str]:
        """The static page words the browser translates by itself (Gradio's i18n), for one language."""
        english = self.tables[DEFAULT_LOCALE]
        table = self.tables.get(locale, {})
        return {
            key: table.get(key) or text
            for key, text in english.items()
            if key.startswith(BROWSER_PREFIXES) and not _FIELD.search(text)
        }


def _compiled(table: dict[str, str]) -> list[Template]:
    """A table's templates with fields and fixed text, most specific (most fixed text) first."""
    templates = (
        Template(key, text) for key, text in table.items() if _FIELD.search(text) and _FIELD.sub("", text).strip()
    )
    return sorted(templates, key=lambda template: -template.literal_chars)


def _fill(template: str, values: dict[str, str]) -> str:
    # Not str.format: a value may itself hold braces, and a missing field must not raise.
    return _FIELD.sub(lambda field: str(values.get(field.group(1), field.group(0))), template)


def load_tables(folder: Path = _TABLES) -> dict[str, dict[str, str]]:
    """{locale: {key: template}} from `<locale>.json`, in the order of LOCALES."""
    return {
        code: json.loads((folder / f"{code}.json").read_text(encoding="utf-8"))
        for code, _ in LOCALES
        if (folder / f"{code}.json").exists()
    }


@functools.cache
def catalogue() -> Catalogue:
    """The app's one catalogue, read once (about 200 keys per language, a few ms)."""
    return Catalogue(load_tables())


def supported_locale(requested: str | None) -> str | None:
    """'fr-CA' -> 'fr', 'zh-TW' -> 'zh-CN', 'EN' -> 'en'; None when the app does not speak it."""
    if not requested:
        return None
    wanted = requested.strip().replace("_", "-").lower()
    codes = {code.lower(): code for code, _ in LOCALES}
    if wanted in codes:
        return codes[wanted]
    base = wanted.split("-")[0]
    return next((code for code in codes.values() if code.split("-")[0].lower() == base), None)
