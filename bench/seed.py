"""Fast, valid logs for the benchmarks and the tests: the aggregates make their own
events (rules, chain hashes and all), and many are saved per transaction, which is what
makes a million events take minutes rather than an hour of one command per commit.

- `append_history`: many introductions living every outcome of docs/domain.md's table.
- `build_long_introduction`: one introduction with a long history (snapshots included)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.application import IntroductionsApp
from domain.introduction import ADMIN, BurnCause, BurnReason, Introduction
from domain.person import Person

SAVE_EVERY = 250  # aggregates per transaction in append_history
LONG_BATCH = 500  # events per save in build_long_introduction
LONG_START = datetime(2026, 1, 1, tzinfo=UTC)


def append_history(
    app: IntroductionsApp,
    n_events: int,
    *,
    seed: int = 1,
    people: int = 300,
    end: datetime | None = None,
) -> int:
    """Appends about `n_events` events of valid introductions (every outcome, times spread
    over the 400 days before `end`, not in log order), saving many aggregates per
    transaction. Returns the number of events appended."""
    rng = random.Random(seed)
    end = end or datetime(2026, 11, 25, tzinfo=UTC)
    start = end - timedelta(days=400)
    ids = register_people(app, people, rng, start)
    appended = len(ids)
    pending: list[Any] = []
    while appended < n_events:
        introducer, requester, target = rng.sample(ids, 3)
        at = start + timedelta(minutes=rng.randrange(400 * 24 * 60))
        introduction = proposed(rng, (introducer, requester, target), "the projections", at)
        _live_out(introduction, rng, at)
        appended += introduction.version  # one event per version
        pending.append(introduction)
        if len(pending) >= SAVE_EVERY:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    return appended


def proposed(
    rng: random.Random, people: tuple[str, str, str], measuring: str, at: datetime
) -> Introduction:
    """A new introduction of (introducer, requester, target), its id drawn from `rng`."""
    introducer, requester, target = people
    return Introduction.propose(
        id=UUID(int=rng.getrandbits(128)),
        introducer_id=introducer,
        requester_id=requester,
        target_id=target,
        context=f"A synthetic introduction for measuring {measuring}.",
        guidelines=None,
        at=at,
    )


def register_people(
    app: IntroductionsApp, people: int, rng: random.Random, at: datetime
) -> list[str]:
    """Registers `people` persons in one transaction; their ids."""
    persons = [
        Person.register(
            id=UUID(int=rng.getrandbits(128)),
            display_name=f"Person {i}",
            organization=None,
            offers=None,
            needs=None,
            actor_id=ADMIN,
            at=at,
        )
        for i in range(people)
    ]
    app.save(*persons)
    return [str(p.id) for p in persons]


def _live_out(introduction: Introduction, rng: random.Random, at: datetime) -> None:
    """Gives a proposed introduction one of the lives of docs/domain.md's table."""
    requester, target = introduction.parties
    introducer = introduction.introducer_id

    def later(hours: float = 48) -> datetime:
        nonlocal at
        at += timedelta(minutes=1 + rng.randrange(int(hours * 60)))
        return at

    fate = rng.random()
    if fate < 0.10:  # declined, perhaps after one consent
        if rng.random() < 0.5:
            introduction.consent(requester, later())
        introduction.decline(rng.choice((requester, target)), "Not now.", later())
        return
    if fate < 0.15:  # still waiting for consents
        return
    introduction.consent(requester, later())
    introduction.consent(target, later())
    if fate < 0.25:  # consented; nobody replied: it expires, or waits to
        if rng.random() < 0.6:
            introduction.expire(later(24 * 20) + timedelta(days=14), timedelta(days=14))
        return
    for _ in range(rng.choice((1, 1, 2, 3))):
        introduction.record_reply(rng.choice((requester, target)), "Hello!", later())
    if fate < 0.60:
        actor = rng.choice((introducer, requester, target))
        introduction.record_relationship_formed(actor, "Working together.", later(24 * 30))
    elif fate < 0.90:
        introduction.burn(
            rng.choice((introducer, requester, target)),
            rng.choice((requester, target)),
            rng.choice(list(BurnReason)).value,
            rng.choice(list(BurnCause)).value,
            None,
            later(24 * 30),
        )


def time_of(version: int) -> datetime:
    """When build_long_introduction records event `version`: one second apart."""
    return LONG_START + timedelta(seconds=version - 1)


def build_long_introduction(
    app: IntroductionsApp,
    versions: int,
    people: list[str] | None = None,
    introduction_id: UUID | None = None,
) -> UUID:
    """An introduction with exactly `versions` events (at least 4): proposed, two
    consents, then replies, saved LONG_BATCH events at a time as the application would
    save them one by one (snapshots included). Registers its three people unless given."""
    if people is None:
        people = [str(app.register_person(ADMIN, name).person.id) for name in ("A", "B", "C")]
    introducer, requester, target = people
    introduction = Introduction.propose(
        id=introduction_id or UUID(int=0xA0D17 + versions),
        introducer_id=introducer,
        requester_id=requester,
        target_id=target,
        context="A long story.",
        guidelines=None,
        at=time_of(1),
    )
    introduction.consent(requester, time_of(2))
    introduction.consent(target, time_of(3))
    for version in range(4, versions + 1):
        introduction.record_reply(requester, f"reply {version}", time_of(version))
        if version % LONG_BATCH == 0:
            app.save(introduction)
    app.save(introduction)
    return introduction.id
