"""Needs meet offers on normalised terms: case, accents, plurals and word forms aside;
words that would match everyone never count."""

from __future__ import annotations

import pytest

from projections.suggestion_index import terms


@pytest.mark.parametrize(
    ("need", "offer"),
    [
        ("marketing job leads", "Marketers"),
        ("a new JOB", "jobs board"),
        ("sales coaching", "Sales coaches"),
        ("hiring advice", "hires engineers"),
        ("Café contacts", "cafe owners"),
        ("company introductions", "companies"),
    ],
)
def test_forms_of_one_word_meet(need: str, offer: str) -> None:
    assert terms(need) & terms(offer)


def test_common_words_never_meet() -> None:
    assert not terms("help with the needs of a team") & terms("offers for and by you")
    assert terms("help with marketing") == {"market"}
