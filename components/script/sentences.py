"""Split one run of text into parts at sentence boundaries, then clause boundaries, then spaces.

Parts are packed with whole sentences up to a size that suits the backend (ModelsLab: one request
each, MODELSLAB_CHUNK_CHARS; offline: about a sentence). A sentence longer than that is cut at a
clause break (comma, semicolon, dash), else at a space, never inside a word unless it has no spaces
(CJK). components/ui/part_count.js mirrors this function for the page's part counter: change both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Boundary = Literal["sentence", "clause", "word"]

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"'”’»)\]])\s+|(?<=[。！？])")
CLAUSE_END = re.compile(r"(?<=[,;:—–、，；：])\s*")
ABBREVIATION = re.compile(
    r"(?:^|\s)(?:mr|mrs|ms|dr|prof|st|sr|jr|vs|etc|e\.g|i\.e|no|fig|[a-z]|\d+)\.$", re.IGNORECASE
)
_ENDS_SENTENCE = re.compile(r"[.!?…。！？][\"'”’»)\]]?$")
_ENDS_CLAUSE = re.compile(r"[,;:—–、，；：]$")
_SPEAKABLE = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    boundary: Boundary
    """How this piece ends: a sentence, a clause, or mid-sentence at a space (or hard cut)."""


def normalise(text: str) -> str:
    """NFC, every run of whitespace (line breaks too) as one space, trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def sentences(text: str) -> list[str]:
    """Sentences of a normalised text; 'Dr. Smith' and '3. item' do not end one."""
    found: list[str] = []
    for piece in (s.strip() for s in SENTENCE_END.split(text)):
        if not piece:
            continue
        if found and ABBREVIATION.search(found[-1]):
            found[-1] += " " + piece
        else:
            found.append(piece)
    return found


def boundary_of(text: str) -> Boundary:
    if _ENDS_SENTENCE.search(text):
        return "sentence"
    return "clause" if _ENDS_CLAUSE.search(text) else "word"


def cut_sentence(sentence: str, limit: int, first_limit: int | None = None) -> list[str]:
    """One sentence in pieces of at most `limit` characters (the first at most `first_limit`):
    at clause breaks, then at spaces, then anywhere (a run of text with no spaces)."""
    pieces: list[str] = []

    def size() -> int:
        return first_limit if first_limit and not pieces else limit

    if len(sentence) <= size():
        return [sentence]
    current = ""
    for clause in (c.strip() for c in CLAUSE_END.split(sentence)):
        if not clause:
            continue
        if current and len(current) + 1 + len(clause) > size():
            pieces.append(current)
            current = ""
        current = f"{current} {clause}" if current else clause
        while len(current) > size():
            cut = current.rfind(" ", 0, size() + 1)
            cut = cut if cut > size() // 3 else size()
            pieces.append(current[:cut].strip())
            current = current[cut:].strip()
    if current:
        pieces.append(current)
    return pieces


def split_parts(text: str, limit: int, *, first_limit: int | None = None, pack: bool = True) -> list[Piece]:
    """Parts of `text`, each at most `limit` characters (the first at most `first_limit`).

    Args:
        text: one run of text (a paragraph, a script line, or the text between two pause tags).
        limit: the backend's part size in characters (>= 20).
        first_limit: a smaller size for the first part (offline: quick first audio).
        pack: put several whole sentences into one part while they fit (ModelsLab: fewer requests).
    Returns:
        Pieces in text order; pieces with nothing to speak (only punctuation) are dropped.
    """
    limit = max(20, limit)
    parts: list[str] = []
    for sentence in sentences(normalise(text)):
        if pack and parts:
            room = first_limit if first_limit and len(parts) == 1 else limit
            if len(parts[-1]) + 1 + len(sentence) <= room:
                parts[-1] += " " + sentence
                continue
        parts.extend(cut_sentence(sentence, limit, first_limit if not parts else None))
    return [Piece(p, boundary_of(p)) for p in parts if _SPEAKABLE.search(p)]
