"""Screening rules of docs/domain.md, by table, with their boundaries."""

from __future__ import annotations

import pytest

from projections.screening import Burn, reasons, screening

SKILL = Burn("NO_RESEARCH", "SKILL")
CARING = Burn("TRANSACTIONAL_ASK", "CARING")
UNKNOWN = Burn("OTHER", "UNKNOWN")


@pytest.mark.parametrize(
    ("burns", "ghosted", "expected"),
    [
        ([], 0, "CLEAR"),
        ([], 1, "CLEAR"),  # one ghosting is not yet a pattern
        ([], 2, "CAUTION"),
        ([], 7, "CAUTION"),  # ghosting alone never reaches AVOID
        ([SKILL], 0, "CAUTION"),
        ([CARING], 0, "CAUTION"),  # one burn, even for lack of caring
        ([SKILL, SKILL], 0, "CAUTION"),
        ([SKILL, UNKNOWN], 5, "CAUTION"),
        ([SKILL, CARING], 0, "AVOID"),
        ([CARING, CARING], 0, "AVOID"),
        ([SKILL, SKILL, SKILL], 0, "AVOID"),
        ([UNKNOWN, UNKNOWN, SKILL], 0, "AVOID"),
    ],
)
def test_screening_table(burns: list[Burn], ghosted: int, expected: str) -> None:
    assert screening(burns, ghosted) == expected
    assert (reasons(burns, ghosted) == []) == (expected == "CLEAR")


def test_reasons_in_words() -> None:
    assert reasons([Burn("TRANSACTIONAL_ASK", "SKILL")], 0) == [
        "blamed in 1 burned introduction: TRANSACTIONAL_ASK, cause SKILL"
    ]
    assert reasons([SKILL, CARING], 2) == [
        "blamed in 2 burned introductions: NO_RESEARCH, cause SKILL; "
        "TRANSACTIONAL_ASK, cause CARING",
        "ghosted 2 introductions: consented, then never replied before it expired",
    ]
