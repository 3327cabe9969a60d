"""Script lines: `Name: text` speaks in the voice called Name, `Name (happy): text` also sets the emotion.

Prose has colons too ("Note: the shop opens at 9."), so the form alone is not enough. The rules:
- A line is a script line when its Name is one of the voices available (case and spacing ignored).
- A line of that form whose Name is not available is a mistake to report, listing the names, when it
  says `(emotion)` with one of the five emotions, or when the text already has a script line with an
  available name (a typo in a script). Otherwise it is prose and read as written.
- The colon must be followed by a space or end the line: "https://…", "10:30" and "a:b" stay prose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from components.errors import InputError
from components.script.markup import PAUSE_TAG
from components.settings import EMOTIONS

NAME_MAX_CHARS = 40
SCRIPT_FORM = re.compile(
    r"\s*(?P<name>[^\W\d_][\w.'’ -]{0,%d}?)\s*(?:\((?P<emotion>[^()\n]{1,30})\))?\s*:(?:\s+|$)(?P<text>.*)$"
    % (NAME_MAX_CHARS - 1)
)
"""`Name: text` or `Name (emotion): text`; Name starts with a letter, up to 40 letters, digits,
spaces, dots, apostrophes and hyphens. Used with .match(), so it is anchored where matching starts."""
LEADING_PAUSES = re.compile(rf"(?:\s*(?:{PAUSE_TAG.pattern}))*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ScriptLine:
    name: str
    """The voice's name as the voice list shows it (the text may write it in another case)."""
    emotion: str | None
    """One of EMOTIONS, or None (the clip's emotion)."""
    text: str


def name_key(name: str) -> str:
    """How names are compared: case-folded, inner spaces collapsed."""
    return " ".join(name.split()).casefold()


def script_form(line: str) -> tuple[str, str | None, str] | None:
    """(name, emotion as written or None, text) when a line has the script form, else None.

    Pause tags before the name stay with the text: "[pause 1s] Bob: Hi" is Bob's line, after a pause.
    """
    tags = LEADING_PAUSES.match(line)
    match = SCRIPT_FORM.match(line, tags.end())
    if match is None:
        return None
    return match.group("name").strip(), match.group("emotion"), (tags.group(0) + match.group("text")).strip()


def read_lines(lines: list[str], known_names: Mapping[str, str]) -> list[ScriptLine | str] | None:
    """Each line as a ScriptLine or plain text, or None when the text is prose (no script line).

    Args:
        lines: the text's lines.
        known_names: the voices available: `name_key(name)` -> the name as it is shown.
    Raises:
        InputError: a line names a voice that is not available (see the module's rules), or
            gives an emotion that is not one of the five.
    """
    forms = [script_form(line) for line in lines]
    is_script = any(form and name_key(form[0]) in known_names for form in forms)
    result: list[ScriptLine | str] = []
    for number, (line, form) in enumerate(zip(lines, forms), start=1):
        if form is None:
            result.append(line)
            continue
        name, emotion, text = form
        known = name_key(name) in known_names
        said_emotion = emotion is not None and emotion.strip().lower() in EMOTIONS
        if not known and not said_emotion and not is_script:
            result.append(line)
            continue
        if not known:
            raise unknown_voice(name, number, known_names)
        result.append(ScriptLine(known_names[name_key(name)], check_emotion(emotion, name, number), text))
    return result if is_script else None


def check_emotion(emotion: str | None, name: str, number: int) -> str | None:
    if emotion is None:
        return None
    cleaned = emotion.strip().lower()
    if cleaned not in EMOTIONS:
        raise InputError(
            f"Line {number}: “{name} ({emotion.strip()})” — the word in brackets must be an emotion: "
            f"{', '.join(EMOTIONS)}."
        )
    return cleaned


def unknown_voice(name: str, number: int, known_names: Mapping[str, str]) -> InputError:
    if known_names:
        available = f"Voices you can name: {', '.join(sorted(known_names.values(), key=str.casefold))}."
    else:
        available = "No named voices are available yet: save a voice under a name first."
    return InputError(
        f"Line {number} is spoken by “{name}”, but there is no voice called {name}. {available} "
        "(A line that is not meant for a voice must not start with a name and a colon.)"
    )


def has_script_form(text: str) -> bool:
    """True when any line looks like `Name: text` (then the voice names are worth looking up)."""
    return any(script_form(line) for line in text.splitlines())
