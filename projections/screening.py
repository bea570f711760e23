"""Screening of a person from their track record (docs/domain.md, "Track record"), in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Screening(StrEnum):
    CLEAR = "CLEAR"
    CAUTION = "CAUTION"
    AVOID = "AVOID"


CARING = "CARING"  # a burn's cause


@dataclass(frozen=True)
class Burn:
    reason: str
    cause: str


def screening(burns: Sequence[Burn], ghosted: int) -> Screening:
    blamed = len(burns)
    caring = sum(1 for b in burns if b.cause == CARING)
    if blamed >= 3 or (blamed >= 2 and caring >= 1):
        return Screening.AVOID
    if blamed >= 1 or ghosted >= 2:
        return Screening.CAUTION
    return Screening.CLEAR


def reasons(burns: Sequence[Burn], ghosted: int) -> list[str]:
    """Why the screening is not CLEAR; empty when it is."""
    if screening(burns, ghosted) == Screening.CLEAR:
        return []
    said = []
    if burns:
        noun = "introduction" if len(burns) == 1 else "introductions"
        what = "; ".join(f"{b.reason}, cause {b.cause}" for b in burns)
        said.append(f"blamed in {len(burns)} burned {noun}: {what}")
    if ghosted:
        noun = "introduction" if ghosted == 1 else "introductions"
        said.append(f"ghosted {ghosted} {noun}: consented, then never replied before it expired")
    return said
