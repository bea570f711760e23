"""The same introducer cannot have two open introductions of the same pair (in either
order); once the first has ended, the pair may be introduced again."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest

from domain.application import IntroductionsApp
from domain.errors import BadInput
from domain.introduction import ADMIN
from tests.application.journeys import People, consented, last_position, proposed, replied
from tests.conftest import FakeClock


@pytest.mark.parametrize("reversed_pair", [False, True], ids=["same order", "reversed"])
def test_a_second_open_introduction_of_the_pair_is_refused(
    app: IntroductionsApp, people: People, reversed_pair: bool
) -> None:
    first = proposed(app, people)
    position = last_position(app)
    pair = (people.target, people.requester) if reversed_pair else (people.requester, people.target)

    with pytest.raises(BadInput) as raised:
        app.propose(people.introducer, *pair, context="Again, in case you missed it.")

    assert str(first) in raised.value.message
    assert last_position(app) == position


def test_the_pair_stays_blocked_while_the_first_is_consented_or_replied(
    app: IntroductionsApp, people: People
) -> None:
    replied_id = replied(app, people)
    with pytest.raises(BadInput):
        app.propose(people.introducer, people.requester, people.target, context="Again.")
    assert app.get_introduction(replied_id).status.value == "REPLIED"


def test_another_introducer_or_another_pair_is_not_blocked(
    app: IntroductionsApp, people: People
) -> None:
    proposed(app, people)
    kent = str(app.register_person(ADMIN, "Kent").person.id)

    by_kent = app.propose(kent, people.requester, people.target, context="Kent's view.")
    other_pair = app.propose(people.introducer, people.requester, people.outsider, context="c")

    assert by_kent.introduction.status.value == "PROPOSED"
    assert other_pair.introduction.status.value == "PROPOSED"


def end_declined(app: IntroductionsApp, people: People, clock: FakeClock) -> UUID:
    return app.decline(people.target, proposed(app, people)).introduction.id


def end_burned(app: IntroductionsApp, people: People, clock: FakeClock) -> UUID:
    introduction_id = consented(app, people)
    result = app.burn(people.introducer, introduction_id, people.requester, "UNRESPONSIVE")
    return result.introduction.id


def end_formed(app: IntroductionsApp, people: People, clock: FakeClock) -> UUID:
    return app.record_relationship_formed(people.target, replied(app, people)).introduction.id


def end_expired(app: IntroductionsApp, people: People, clock: FakeClock) -> UUID:
    introduction_id = consented(app, people)
    clock.advance(days=15)
    return app.expire(introduction_id).introduction.id


ENDINGS: dict[str, Callable[[IntroductionsApp, People, FakeClock], UUID]] = {
    "declined": end_declined,
    "burned": end_burned,
    "formed": end_formed,
    "expired": end_expired,
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_the_pair_may_be_introduced_again_after_the_first_ends(
    app: IntroductionsApp, people: People, clock: FakeClock, ending: str
) -> None:
    first = ENDINGS[ending](app, people, clock)
    assert app.get_introduction(first).is_final

    second = app.propose(
        people.introducer, people.target, people.requester, context="Let us try again."
    ).introduction
    assert second.id != first
    assert second.status.value == "PROPOSED"

    # ... and while the second is open, a third is refused again.
    with pytest.raises(BadInput):
        app.propose(people.introducer, people.requester, people.target, context="Once more.")


@pytest.mark.parametrize(
    "spelling", [str.upper, lambda i: "{" + i + "}", lambda i: f"urn:uuid:{i}"]
)
def test_another_spelling_of_the_introducers_id_is_the_same_introducer(
    app: IntroductionsApp, people: People, spelling: Callable[[str], str]
) -> None:
    first = app.propose(
        spelling(people.introducer), people.requester, people.target, context="c"
    ).introduction

    assert first.introducer_id == people.introducer
    assert app.get_introduction(first.id, actor_id=people.introducer).id == first.id
    with pytest.raises(BadInput):
        app.propose(people.introducer, people.requester, people.target, context="Again.")
    with pytest.raises(BadInput):
        app.propose(
            spelling(people.introducer), spelling(people.target), people.requester, context="c"
        )
