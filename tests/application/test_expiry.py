"""Expiry: a CONSENTED introduction with no reply for the expiry period (14 days by
default, counted from the second consent) may be expired by the system."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.application import IntroductionsApp
from domain.errors import InvalidTransition
from storage.bootstrap import open_application
from storage.database import Storage
from tests.application.journeys import (
    People,
    consented,
    last_position,
    proposed,
    register_people,
    replied,
)
from tests.conftest import FakeClock


def test_not_before_14_days_then_yes(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id = consented(app, people)
    consented_at = clock.now

    clock.advance(days=14, microseconds=-1)
    position = last_position(app)
    with pytest.raises(InvalidTransition):
        app.expire(introduction_id)
    assert last_position(app) == position
    assert app.get_introduction(introduction_id).status.value == "CONSENTED"

    clock.advance(microseconds=1)
    result = app.expire(introduction_id)

    assert result.introduction.status.value == "EXPIRED"
    expired = app.history(introduction_id)[-1]
    assert expired.type == "IntroductionExpired"
    assert expired.actor_id is None
    assert expired.occurred_at == consented_at + timedelta(days=14)
    assert expired.data == {"consented_at": consented_at, "expire_after_days": 14.0}


def test_the_period_counts_from_the_second_consent(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id = proposed(app, people)
    app.consent(people.requester, introduction_id)
    clock.advance(days=10)
    app.consent(people.target, introduction_id)

    clock.advance(days=13)
    with pytest.raises(InvalidTransition):
        app.expire(introduction_id)
    clock.advance(days=1)
    assert app.expire(introduction_id).introduction.status.value == "EXPIRED"


@pytest.mark.parametrize("reach", [proposed, replied], ids=["proposed", "replied"])
def test_only_a_consented_introduction_expires(
    app: IntroductionsApp, people: People, clock: FakeClock, reach: object
) -> None:
    introduction_id = reach(app, people)  # type: ignore[operator]
    clock.advance(days=100)
    with pytest.raises(InvalidTransition):
        app.expire(introduction_id)


def test_an_expired_introduction_is_final(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id = consented(app, people)
    clock.advance(days=15)
    app.expire(introduction_id)
    position = last_position(app)
    for attempt in (
        lambda: app.expire(introduction_id),
        lambda: app.record_reply(people.requester, introduction_id, "Sorry, I was away."),
        lambda: app.burn(people.introducer, introduction_id, people.target, "UNRESPONSIVE"),
    ):
        with pytest.raises(InvalidTransition):
            attempt()
    assert last_position(app) == position


def test_the_expiry_period_is_configurable(storage: Storage, clock: FakeClock) -> None:
    app = open_application(storage, clock=clock, expire_after=timedelta(days=3))
    try:
        people = register_people(app)
        introduction_id = consented(app, people)
        clock.advance(days=3)
        app.expire(introduction_id)
        assert app.history(introduction_id)[-1].data["expire_after_days"] == 3.0
    finally:
        app.close()
