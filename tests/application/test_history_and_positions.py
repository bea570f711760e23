"""History: every event in version order with actor, time and data, under ids that
never change. Commands return the log position of what they wrote."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from domain.application import IntroductionsApp
from domain.chain import event_id
from domain.introduction import ADMIN
from domain.personal import plain
from tests.application.journeys import People, last_position, replied
from tests.conftest import FakeClock


def test_history_ids_are_stable_unique_and_derived_from_the_event(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = replied(app, people)

    first_read = app.history(introduction_id)
    second_read = app.history(introduction_id, actor_id=people.target)

    assert [e.id for e in first_read] == [e.id for e in second_read]
    assert len({e.id for e in first_read}) == len(first_read) == 4
    assert [e.id for e in first_read] == [event_id(introduction_id, v) for v in (1, 2, 3, 4)]
    assert first_read == second_read


def test_history_times_are_utc_to_the_microsecond(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    clock.advance(microseconds=123_457)
    introduction_id = replied(app, people)
    clock.advance(hours=2, microseconds=1)
    app.record_reply(people.target, introduction_id, "Nice to meet you, Jim.")

    times = [e.occurred_at for e in app.history(introduction_id)]

    assert times[0].microsecond == 123_457
    assert times[-1] - times[0] == timedelta(hours=2, microseconds=1)
    assert all(t.utcoffset() == timedelta(0) for t in times)
    assert times[0].astimezone(UTC) == clock.now - timedelta(hours=2, microseconds=1)


def test_every_command_returns_the_position_of_its_event_and_positions_increase(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    positions = []

    def took(position: int) -> None:
        assert position == last_position(app)
        positions.append(position)

    kent = app.register_person(ADMIN, "Kent")
    took(kent.position)
    proposal = app.propose(people.introducer, people.requester, people.target, context="c")
    took(proposal.position)
    introduction_id = proposal.introduction.id
    took(app.consent(people.requester, introduction_id).position)
    took(app.consent(people.target, introduction_id).position)
    took(app.record_reply(people.target, introduction_id, "hi").position)
    took(app.record_relationship_formed(people.introducer, introduction_id).position)
    other = app.propose(people.introducer, people.requester, people.outsider, context="c")
    took(other.position)
    took(app.consent(people.requester, other.introduction.id).position)
    took(app.consent(people.outsider, other.introduction.id).position)
    clock.advance(days=14)
    took(app.expire(other.introduction.id).position)

    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)


def test_a_proposal_and_its_pair_claim_are_written_together(
    app: IntroductionsApp, people: People
) -> None:
    before = last_position(app)
    result = app.propose(people.introducer, people.requester, people.target, context="c")

    written = app.recorder.select_notifications(start=before + 1, limit=10)

    # One event for the introduction, one claiming the pair, in one transaction; the
    # position returned is the last of them.
    assert len(written) == 2
    assert [n.originator_id for n in written].count(result.introduction.id) == 1
    assert {n.originator_version for n in written} == {1}
    assert result.position == written[-1].id == last_position(app)


def test_times_from_a_clock_in_another_zone_are_recorded_in_utc(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    paris = clock.now.astimezone(timezone(timedelta(hours=1)))
    app.clock = lambda: paris
    introduction_id = app.propose(
        people.introducer, people.requester, people.target, context="c"
    ).introduction.id

    [proposed] = app.history(introduction_id)

    assert proposed.occurred_at == paris
    assert proposed.occurred_at.utcoffset() == timedelta(0)


def test_text_beyond_ascii_reads_back_exactly(app: IntroductionsApp, people: People) -> None:
    introduction_id = app.propose(
        people.introducer, people.requester, people.target, context="Zoë ↔ Jürgen 👋 日本"
    ).introduction.id
    [proposed] = app.history(introduction_id)
    assert proposed.data["context"] == "Zoë ↔ Jürgen 👋 日本"
    assert plain(app.get_introduction(introduction_id).context) == "Zoë ↔ Jürgen 👋 日本"
