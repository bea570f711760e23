"""The state of an introduction as of any version or any instant; None before the
first event."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest

from domain.application import IntroductionsApp
from domain.errors import BadInput
from tests.application.journeys import People
from tests.conftest import FakeClock

STATUSES = ["PROPOSED", "PROPOSED", "CONSENTED", "REPLIED", "BURNED"]


def burned_an_hour_apart(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> tuple[UUID, list[datetime]]:
    """Five events, one per hour; returns the id and the times of the events."""
    times = [clock.now]
    introduction_id = app.propose(
        people.introducer, people.requester, people.target, context="c"
    ).introduction.id
    steps = [
        lambda: app.consent(people.requester, introduction_id),
        lambda: app.consent(people.target, introduction_id),
        lambda: app.record_reply(people.requester, introduction_id, "what job do you have?"),
        lambda: app.burn(people.target, introduction_id, people.requester, "TRANSACTIONAL_ASK"),
    ]
    for step in steps:
        times.append(clock.advance(hours=1))
        step()
    return introduction_id, times


def test_the_state_as_of_each_version(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id, _ = burned_an_hour_apart(app, people, clock)
    for version, status in enumerate(STATUSES, start=1):
        past = app.introduction_at(introduction_id, version=version)
        assert past is not None
        assert (past.version, past.status.value) == (version, status)
    latest = app.introduction_at(introduction_id, version=99)
    assert latest is not None
    assert latest.version == 5


def test_the_state_as_of_an_instant_between_two_events(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id, times = burned_an_hour_apart(app, people, clock)

    between = app.introduction_at(introduction_id, at=times[2] + timedelta(minutes=30))
    exactly = app.introduction_at(introduction_id, at=times[3])
    just_before = app.introduction_at(introduction_id, at=times[3] - timedelta(microseconds=1))

    assert between is not None
    assert (between.version, between.status.value) == (3, "CONSENTED")
    assert exactly is not None
    assert (exactly.version, exactly.status.value) == (4, "REPLIED")
    assert just_before is not None
    assert just_before.version == 3


def test_nothing_before_the_first_event(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id, times = burned_an_hour_apart(app, people, clock)
    assert app.introduction_at(introduction_id, at=times[0] - timedelta(microseconds=1)) is None
    first = app.introduction_at(introduction_id, at=times[0])
    assert first is not None
    assert first.version == 1


def test_after_the_last_event_it_is_the_current_state(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id, times = burned_an_hour_apart(app, people, clock)
    later = app.introduction_at(introduction_id, at=times[-1] + timedelta(days=365))
    assert later is not None
    assert later.status.value == "BURNED"


def test_version_and_instant_together_take_the_earlier(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id, times = burned_an_hour_apart(app, people, clock)
    by_time = app.introduction_at(introduction_id, version=5, at=times[1])
    by_version = app.introduction_at(introduction_id, version=2, at=times[4])
    assert by_time is not None
    assert by_version is not None
    assert by_time.version == by_version.version == 2


def test_time_travel_does_not_change_the_present(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id, _ = burned_an_hour_apart(app, people, clock)
    app.introduction_at(introduction_id, version=1)
    assert app.get_introduction(introduction_id).status.value == "BURNED"
    assert len(app.history(introduction_id)) == 5


@pytest.mark.parametrize(
    "arguments",
    [{"version": 0}, {"version": -1}, {"at": datetime(2026, 11, 25, 18, 30)}],
    ids=["version 0", "negative version", "naive time"],
)
def test_bad_version_or_time_is_bad_input(
    app: IntroductionsApp, people: People, clock: FakeClock, arguments: dict[str, object]
) -> None:
    introduction_id, _ = burned_an_hour_apart(app, people, clock)
    with pytest.raises(BadInput):
        app.introduction_at(introduction_id, **arguments)  # type: ignore[arg-type]


def test_time_travel_over_a_long_history_finds_the_last_event_at_or_before(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    other = app.propose(
        people.introducer, people.requester, people.outsider, context="c"
    ).introduction.id
    times = [clock.now]
    for who in (people.requester, people.outsider):
        times.append(clock.advance(minutes=1))
        app.consent(who, other)
    for n in range(45):  # more events than the search reads at once
        # Some replies share an instant with the one before: "at or before" takes the last.
        times.append(clock.advance(minutes=1) if n % 5 else clock.now)
        app.record_reply(people.outsider, other, f"reply {n}")
    assert len(times) == app.get_introduction(other).version == 48

    for i in [*range(0, 48, 5), 46, 47]:
        for at in (times[i], times[i] + timedelta(seconds=30)):
            expected = max(v for v, t in enumerate(times, start=1) if t <= at)
            found = app.introduction_at(other, at=at)
            assert found is not None
            assert found.version == expected, (i, at)
