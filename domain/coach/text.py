"""The few text tools the coach needs: sentences with their offsets, pattern building,
and evidence that is always a piece of the message itself."""

from __future__ import annotations

import re
from dataclasses import dataclass

APOSTROPHE = "['’]"
EVIDENCE_MAX = 120  # characters: enough to recognise the words, short enough to quote
# Lower case (ASCII) and one apostrophe, character for character, so that offsets into
# the lowered text are offsets into the message; patterns then need no IGNORECASE, which
# makes Python's re several times slower on these alternations.
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ’", "abcdefghijklmnopqrstuvwxyz'")


def lowered(text: str) -> str:
    return text.translate(_FOLD)


def words(*alternatives: str) -> str:
    """A group matching any of the alternatives as whole words; an apostrophe in one
    matches both the straight and the typographic one."""
    body = "|".join(a.replace("'", APOSTROPHE) for a in alternatives)
    return rf"\b(?:{body})\b"


def compile_all(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    words: tuple[str, ...] = ()


SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def sentences(text: str) -> list[Sentence]:
    """The sentences of a lowered text, each with its words."""
    found = []
    for m in SENTENCE.finditer(text):
        if m.group(0).strip():
            found.append(Sentence(m.start(), m.end(), m.group(0), tuple(TOKEN.findall(m.group(0)))))
    return found


def tokens(text: str) -> list[str]:
    return [t.lower() for t in TOKEN.findall(text)]


def evidence(text: str, start: int, end: int) -> str:
    """The words of text[start:end], trimmed to EVIDENCE_MAX at a word boundary and of
    surrounding spaces and punctuation: always a substring of `text`."""
    piece = text[start:end]
    if len(piece) > EVIDENCE_MAX:
        cut = piece.rfind(" ", 0, EVIDENCE_MAX)
        piece = piece[: cut if cut > 0 else EVIDENCE_MAX]
    return piece.strip(" \t\r\n,;:-–—")
