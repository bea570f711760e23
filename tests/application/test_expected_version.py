"""expectedVersion: a command against a version the introduction has moved on from is
refused with ConcurrencyConflict, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest

from domain.application import IntroductionsApp
from domain.errors import ConcurrencyConflict
from tests.application.journeys import People, consented, last_position, proposed, replied
from tests.conftest import FakeClock

Command = Callable[[IntroductionsApp, People, UUID, int], object]
COMMANDS: dict[str, tuple[Callable[[IntroductionsApp, People], UUID], Command]] = {
    "consent": (proposed, lambda a, p, i, v: a.consent(p.target, i, expected_version=v)),
    "decline": (proposed, lambda a, p, i, v: a.decline(p.target, i, "no", expected_version=v)),
    "reply": (consented, lambda a, p, i, v: a.record_reply(p.target, i, "hi", expected_version=v)),
    "relationship": (
        replied,
        lambda a, p, i, v: a.record_relationship_formed(p.introducer, i, expected_version=v),
    ),
    "burn": (
        replied,
        lambda a, p, i, v: a.burn(p.target, i, p.requester, "NO_RESEARCH", expected_version=v),
    ),
    "expire": (consented, lambda a, p, i, v: a.expire(i, expected_version=v)),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_current_version_is_accepted(
    app: IntroductionsApp, people: People, clock: FakeClock, command: str
) -> None:
    reach, issue = COMMANDS[command]
    introduction_id = reach(app, people)
    version = app.get_introduction(introduction_id).version
    clock.advance(days=30)

    result = issue(app, people, introduction_id, version)

    assert result.introduction.version == version + 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_stale_or_future_version_is_refused_and_nothing_written(
    app: IntroductionsApp, people: People, clock: FakeClock, command: str
) -> None:
    reach, issue = COMMANDS[command]
    introduction_id = reach(app, people)
    version = app.get_introduction(introduction_id).version
    position = last_position(app)
    clock.advance(days=30)

    for off_by in (-1, 1):
        with pytest.raises(ConcurrencyConflict) as raised:
            issue(app, people, introduction_id, version + off_by)
        assert str(version) in raised.value.message

    assert app.get_introduction(introduction_id).version == version
    assert len(app.history(introduction_id)) == version
    assert last_position(app) == position


def test_two_writers_reading_the_same_version_cannot_both_succeed(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = consented(app, people)
    seen = app.get_introduction(introduction_id).version

    app.record_reply(people.requester, introduction_id, "first", expected_version=seen)
    with pytest.raises(ConcurrencyConflict):
        app.record_reply(people.target, introduction_id, "second", expected_version=seen)

    history = app.history(introduction_id)
    assert [e.data.get("message") for e in history if e.type == "ReplyRecorded"] == ["first"]
