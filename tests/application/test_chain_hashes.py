"""Tamper evidence: the chain hash of every stored event recomputes from the stored
data alone (domain.chain.chain_digest over the decoded stored state)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from eventsourcing.utils import resolve_topic

from api.commands.story import record_seed_story
from domain.application import IntroductionsApp
from domain.chain import GENESIS, chain_digest, event_data
from tests.application.journeys import People, consented
from tests.conftest import FakeClock


def stored_events(app: IntroductionsApp) -> dict[Any, list[tuple[int, str, dict[str, Any]]]]:
    """Every stored event, decoded straight from the recorder, by aggregate."""
    by_aggregate: dict[Any, list[tuple[int, str, dict[str, Any]]]] = defaultdict(list)
    for n in app.recorder.select_notifications(start=1, limit=10_000):
        state = app.mapper.transcoder.decode(n.state)
        event_type = resolve_topic(n.topic).__name__
        by_aggregate[n.originator_id].append((n.originator_version, event_type, state))
    return by_aggregate


def recompute(aggregate_id: Any, events: list[tuple[int, str, dict[str, Any]]]) -> list[str]:
    """The chain as it should be: each hash from the previous one and the stored data."""
    chain, previous = [], GENESIS
    for version, event_type, state in sorted(events, key=lambda e: e[0]):
        previous = chain_digest(
            previous,
            aggregate_id,
            event_type,
            version,
            state["timestamp"],
            state["actor_id"],
            event_data(state),
        )
        chain.append(previous)
    return chain


def test_every_stored_event_chain_recomputes(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    ids = record_seed_story(app)
    stale = consented(app, people)
    clock.advance(days=14)
    app.expire(stale)  # an event with a datetime, a float and no actor

    events = stored_events(app)

    assert len(events) >= 6 + 3 + 3  # persons, introductions, pair indexes
    for aggregate_id, stored in events.items():
        stored_hashes = [s["chain_hash"] for _, _, s in sorted(stored, key=lambda e: e[0])]
        assert stored_hashes == recompute(aggregate_id, stored), aggregate_id
    burned = [e.chain_hash for e in app.history(ids["burned"])]
    assert burned == recompute(ids["burned"], events[stored_id(events, ids["burned"])])


def stored_id(events: dict[Any, Any], wanted: str) -> Any:
    [match] = [k for k in events if str(k) == wanted]
    return match


def test_an_edited_or_removed_event_breaks_the_chain(app: IntroductionsApp) -> None:
    ids = record_seed_story(app)
    events = stored_events(app)[stored_id(stored_events(app), ids["burned"])]
    events.sort(key=lambda e: e[0])
    stored_hashes = [s["chain_hash"] for _, _, s in events]

    edited = [(v, t, dict(s)) for v, t, s in events]
    edited[3][2]["message"] = "Dear John, how can I help you?"
    assert recompute(ids["burned"], edited)[3:] != stored_hashes[3:]

    renumbered = [(v - 1 if v > 3 else v, t, s) for v, t, s in events if v != 3]
    assert recompute(ids["burned"], renumbered) != stored_hashes[:2] + stored_hashes[3:]

    reattributed = [(v, t, dict(s)) for v, t, s in events]
    reattributed[4][2]["actor_id"] = ids["jason"]
    assert recompute(ids["burned"], reattributed)[4] != stored_hashes[4]
