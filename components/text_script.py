"""Does the text fit the chosen language? A check on writing systems, before any voice is spent.

Japanese text with "English" selected is read out as noise (the offline English voice spells the
characters; the API's behaviour is undocumented), so a clear message beats a strange clip. Only a
text written mostly in a script the language never uses is refused: Latin words inside Chinese,
Hindi in Latin letters, or a foreign name in an English sentence all pass.
"""

from __future__ import annotations

import unicodedata

from components.errors import InputError

_LATIN_LANGUAGES = (
    "english", "spanish", "german", "czech", "dutch", "french", "hungarian", "italian", "polish", "turkish",
)
ALLOWED_SCRIPTS: dict[str, frozenset[str]] = {
    **{language: frozenset({"LATIN"}) for language in _LATIN_LANGUAGES},
    "arabic": frozenset({"ARABIC", "LATIN"}),
    "chinese": frozenset({"CJK", "LATIN"}),
    "japanese": frozenset({"CJK", "HIRAGANA", "KATAKANA", "LATIN"}),
    "korean": frozenset({"HANGUL", "CJK", "LATIN"}),
    "hindi": frozenset({"DEVANAGARI", "LATIN"}),
    "russian": frozenset({"CYRILLIC", "LATIN"}),
}
SCRIPT_LANGUAGE = {
    "ARABIC": ("Arabic", "arabic"),
    "CJK": ("Chinese characters", "chinese (or japanese)"),
    "HIRAGANA": ("Japanese kana", "japanese"),
    "KATAKANA": ("Japanese kana", "japanese"),
    "HANGUL": ("Korean Hangul", "korean"),
    "DEVANAGARI": ("Devanagari", "hindi"),
    "CYRILLIC": ("Cyrillic", "russian"),
    "LATIN": ("Latin letters", "a language written in Latin letters, such as english"),
}
MIN_LETTERS = 3
"""Fewer letters than this say too little about the language to refuse anything."""


def letter_scripts(text: str) -> dict[str, int]:
    """How many letters of each script the text holds ('LATIN', 'CJK', 'HIRAGANA', ...).

    The script is the first word of the letter's Unicode name ("LATIN SMALL LETTER A").
    """
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        script = unicodedata.name(char, "").split(" ", 1)[0]
        if script in ("HALFWIDTH", "FULLWIDTH"):  # e.g. FULLWIDTH LATIN CAPITAL LETTER A
            script = unicodedata.name(char).split(" ", 2)[1]
        counts[script] = counts.get(script, 0) + 1
    return counts


def check_script(text: str, language: str) -> None:
    """Raise InputError when most of the text's letters are in scripts `language` is never written in."""
    allowed = ALLOWED_SCRIPTS.get(language)
    if not allowed:
        return
    counts = letter_scripts(text)
    total = sum(counts.values())
    foreign = {script: n for script, n in counts.items() if script not in allowed}
    if total < MIN_LETTERS or sum(foreign.values()) * 2 <= total:
        return
    script = max(foreign, key=foreign.get)
    if "HIRAGANA" in foreign or "KATAKANA" in foreign:
        script = "HIRAGANA"  # kana, alone or with kanji, is Japanese
    if script not in SCRIPT_LANGUAGE:
        return  # a script none of the 16 languages uses: nothing useful to suggest
    shown, suggestion = SCRIPT_LANGUAGE[script]
    raise InputError(
        f"The text is written in {shown}, but the language is {language.title()}. "
        f"Choose {suggestion} as the language, or type the text in {language.title()}."
    )
