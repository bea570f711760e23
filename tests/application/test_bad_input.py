"""Unknown persons, one person named twice, malformed ids: BAD_USER_INPUT, nothing
written. And who may register people and propose."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.application import IntroductionsApp
from domain.errors import BadInput, Forbidden, NotFound
from domain.introduction import ADMIN
from tests.application.journeys import People, last_position, proposed

UNKNOWN = str(uuid4())


@pytest.mark.parametrize(
    ("introducer", "requester", "target", "field"),
    [
        ("introducer", UNKNOWN, "target", "requesterId"),
        ("introducer", "requester", UNKNOWN, "targetId"),
        (UNKNOWN, "requester", "target", "introducerId"),
        ("introducer", "not-a-uuid", "target", "requesterId"),
        ("introducer", "requester", "", "targetId"),
        ("not-a-uuid", "requester", "target", "introducerId"),
    ],
)
def test_a_proposal_naming_an_unknown_or_malformed_person_is_refused(
    app: IntroductionsApp,
    people: People,
    introducer: str,
    requester: str,
    target: str,
    field: str,
) -> None:
    position = last_position(app)
    a, b, c = (getattr(people, r, r) for r in (introducer, requester, target))

    with pytest.raises(BadInput) as raised:
        app.propose(a, b, c, context="context")

    assert raised.value.field == field
    assert last_position(app) == position


@pytest.mark.parametrize(
    ("introducer", "requester", "target"),
    [
        ("introducer", "requester", "requester"),
        ("introducer", "introducer", "target"),
        ("introducer", "requester", "introducer"),
    ],
)
def test_a_proposal_naming_one_person_twice_is_refused(
    app: IntroductionsApp, people: People, introducer: str, requester: str, target: str
) -> None:
    position = last_position(app)
    a, b, c = (getattr(people, r) for r in (introducer, requester, target))
    with pytest.raises(BadInput):
        app.propose(a, b, c, context="c")
    assert last_position(app) == position


def test_a_proposal_past_the_context_bound_is_refused_and_nothing_written(
    app: IntroductionsApp, people: People
) -> None:
    position = last_position(app)
    with pytest.raises(BadInput):
        app.propose(people.introducer, people.requester, people.target, context="c" * 4_001)
    assert last_position(app) == position
    # The refused proposal did not claim the pair.
    assert proposed(app, people)


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "../etc/passwd"])
def test_malformed_introduction_ids_are_bad_input_everywhere(
    app: IntroductionsApp, people: People, bad_id: str
) -> None:
    calls = [
        lambda: app.get_introduction(bad_id),
        lambda: app.history(bad_id),
        lambda: app.introduction_at(bad_id, version=1),
        lambda: app.consent(people.requester, bad_id),
        lambda: app.record_reply(people.requester, bad_id, "hi"),
        lambda: app.expire(bad_id),
        lambda: app.get_person(bad_id),
    ]
    for call in calls:
        with pytest.raises(BadInput):
            call()


def test_ids_of_another_kind_are_not_found(app: IntroductionsApp, people: People) -> None:
    introduction_id = proposed(app, people)
    with pytest.raises(NotFound):
        app.get_introduction(people.requester)
    with pytest.raises(NotFound):
        app.get_person(introduction_id)
    with pytest.raises(BadInput):
        app.propose(people.introducer, str(introduction_id), people.target, context="c")


def test_only_the_admin_registers_people(app: IntroductionsApp, people: People) -> None:
    position = last_position(app)
    with pytest.raises(Forbidden):
        app.register_person(people.introducer, "Mallory")
    assert last_position(app) == position


def test_the_admin_is_not_a_person_and_cannot_propose(
    app: IntroductionsApp, people: People
) -> None:
    with pytest.raises(Forbidden):
        app.propose(ADMIN, people.requester, people.target, context="c")


@pytest.mark.parametrize("name", ["", "  ", "x" * 201])
def test_a_person_needs_a_display_name_of_1_to_200_characters(
    app: IntroductionsApp, name: str
) -> None:
    position = last_position(app)
    with pytest.raises(BadInput) as raised:
        app.register_person(ADMIN, name)
    assert raised.value.field == "displayName"
    assert last_position(app) == position


def test_a_registered_person_reads_back(app: IntroductionsApp) -> None:
    result = app.register_person(
        ADMIN, "  Alice  ", "Northwind", ["data engineering"], ["a co-founder"]
    )
    alice = app.get_person(str(result.person.id))
    assert (alice.display_name, alice.organization) == ("Alice", "Northwind")
    assert (alice.offers, alice.needs) == (["data engineering"], ["a co-founder"])


def test_the_blamed_person_may_be_named_in_any_spelling_of_their_id(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = proposed(app, people)
    app.consent(people.requester, introduction_id)
    app.consent(people.target, introduction_id)

    with pytest.raises(BadInput) as raised:
        app.burn(people.target, introduction_id, "Jim", "TRANSACTIONAL_ASK")
    assert raised.value.field == "blamedPersonId"

    burned = app.burn(people.target, introduction_id, people.requester.upper(), "NO_RESEARCH")
    assert burned.introduction.outcome["blamed_person_id"] == people.requester
    assert app.history(introduction_id)[-1].data["blamed_person_id"] == people.requester
