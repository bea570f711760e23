"""Builds an introduction with a long history quickly: the events are made by the
aggregate itself and saved in batches, as the application would save them one by one
(snapshots included, every SNAPSHOT_EVERY versions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.application import IntroductionsApp
from domain.introduction import ADMIN, Introduction

START = datetime(2026, 1, 1, tzinfo=UTC)
STEP = timedelta(seconds=1)  # event n is recorded at START + (n - 1) * STEP
BATCH = 500


def time_of(version: int) -> datetime:
    return START + (version - 1) * STEP


def build_long_introduction(app: IntroductionsApp, versions: int) -> UUID:
    """An introduction with exactly `versions` events (at least 4): proposed, two
    consents, then replies."""
    people = [str(app.register_person(ADMIN, name).person.id) for name in ("A", "B", "C")]
    introducer, requester, target = people
    introduction = Introduction.propose(
        id=UUID(int=0xA0D17 + versions),
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
        if version % BATCH == 0:
            app.save(introduction)
    app.save(introduction)
    return introduction.id
