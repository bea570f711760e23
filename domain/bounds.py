"""Text bounds of docs/domain.md; a value past them is refused with BAD_USER_INPUT."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from domain.errors import BadInput

DISPLAY_NAME_MAX = 200
ORGANIZATION_MAX = 200
TAG_MAX = 100
TAGS_MAX = 50
CONTEXT_MAX = 4_000
GUIDELINES_MAX = 4_000
MESSAGE_MAX = 10_000
NOTE_MAX = 2_000
# Embeddings, overrides and isolates: they reorder the text after them, so that a name
# can read as another ("Alice\u202eecilA").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def required_text(value: object, field: str, maximum: int) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{field} is required: give 1 to {maximum:,} characters."
        raise BadInput(msg, field=field)
    return optional_text(value, field, maximum) or ""


def optional_text(value: object, field: str, maximum: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        msg = f"{field} must be text."
        raise BadInput(msg, field=field)
    if len(value) > maximum:
        msg = f"{field} is {len(value):,} characters long; at most {maximum:,} are allowed."
        raise BadInput(msg, field=field)
    if "\x00" in value:
        msg = f"{field} contains a NUL character, which is not allowed."
        raise BadInput(msg, field=field)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            msg = f"{field} is not valid Unicode (it has an unpaired surrogate)."
            raise BadInput(msg, field=field) from None
    return value


def tags(values: Iterable[str] | None, field: str) -> list[str]:
    if values is None:
        return []
    result = [required_text(v, field, TAG_MAX).strip() for v in values]
    if len(result) > TAGS_MAX:
        msg = f"{field} has {len(result)} entries; at most {TAGS_MAX} are allowed."
        raise BadInput(msg, field=field)
    return result


def one_line(value: str, field: str) -> str:
    """Person text (names, organisations, tags) is shown in lists, tables and terminals:
    one line of printable text, with no bidirectional controls."""
    for char in value:
        if char in BIDI_CONTROLS:
            msg = (
                f"{field} contains the bidirectional control U+{ord(char):04X}, which makes "
                "text read as something else; remove it."
            )
            raise BadInput(msg, field=field)
        if unicodedata.category(char) == "Cc":
            msg = f"{field} contains the control character U+{ord(char):04X}: give one line."
            raise BadInput(msg, field=field)
    return value
