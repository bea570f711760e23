"""The introduction list: filters, visibility and keyset pagination."""

from __future__ import annotations

import pytest

from domain.application import IntroductionsApp
from domain.errors import BadInput
from domain.introduction import ADMIN
from projections.read_models import ReadModels
from tests.projections.helpers import project


def test_filters_visibility_and_pages(app: IntroductionsApp, read_models: ReadModels) -> None:
    i, j, a, b, c = (str(app.register_person(ADMIN, n).person.id) for n in "IJABC")
    made = [
        str(app.propose(i, a, b, "1").introduction.id),
        str(app.propose(i, a, c, "2").introduction.id),
        str(app.propose(j, b, c, "3").introduction.id),
        str(app.propose(j, a, b, "4").introduction.id),
        str(app.propose(i, b, c, "5").introduction.id),
    ]
    app.decline(b, made[0])
    result = app.consent(a, made[1])
    project(app, read_models)
    assert read_models.position() == app.recorder.max_notification_id()

    everything = read_models.introductions.page(first=10)
    assert [r.id for r in everything.rows] == made[::-1]  # newest first
    assert (everything.total_count, everything.has_next_page) == (5, False)
    declined = everything.rows[-1]
    assert (declined.status, declined.version, declined.introducer_id) == ("DECLINED", 2, i)
    assert declined.updated_at >= declined.proposed_at
    assert everything.rows[-2].version == result.introduction.version

    def ids(**kwargs: object) -> list[str]:
        return [r.id for r in read_models.introductions.page(first=10, **kwargs).rows]  # type: ignore[arg-type]

    assert ids(introducer_id=i) == [made[4], made[1], made[0]]
    assert ids(person_id=a) == [made[3], made[1], made[0]]
    assert ids(person_id=i) == []  # an introducer is not a party
    assert ids(status="DECLINED") == [made[0]]
    assert ids(visible_to=i) == [made[4], made[1], made[0]]
    assert ids(visible_to=c) == [made[4], made[2], made[1]]
    assert ids(visible_to=ADMIN) == made[::-1]
    assert ids(visible_to=c, introducer_id=j) == [made[2]]
    assert ids(person_id=b, status="PROPOSED") == [made[4], made[3], made[2]]

    seen, after = [], None
    while True:
        page = read_models.introductions.page(first=2, after=after)
        assert page.total_count == 5
        seen += [r.id for r in page.rows]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == made[::-1]

    # Each row carries its own cursor: resuming after it continues right below it.
    second = everything.rows[1]
    assert [r.id for r in read_models.introductions.page(first=10, after=second.cursor).rows] == (
        made[2::-1]
    )

    # A cursor stays valid while new introductions arrive: no row twice, none skipped.
    first_page = read_models.introductions.page(first=2)
    app.propose(j, c, a, "6")
    project(app, read_models)
    rest = read_models.introductions.page(first=10, after=first_page.end_cursor)
    assert [r.id for r in rest.rows] == made[2::-1]


@pytest.mark.parametrize("cursor", ["", "nonsense", "c2VxOng", "!!!", "c2VxOi0x"])
def test_a_malformed_cursor_is_bad_input(read_models: ReadModels, cursor: str) -> None:
    with pytest.raises(BadInput) as raised:
        read_models.introductions.page(after=cursor)
    assert raised.value.field == "after"
