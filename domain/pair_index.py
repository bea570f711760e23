"""Enforces "one open introduction per introducer and pair" atomically: proposing writes
the next event of this index in the same save() as the new introduction, so two racing
proposals of the same pair cannot both be recorded."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.chain import ChainedAggregate

PAIR_INDEX_NAMESPACE = UUID("0b3c9f6a-2d4e-5f60-8a1b-2c3d4e5f6a7b")


def pair_index_id(introducer_id: str, party_a: str, party_b: str) -> UUID:
    # The pair is unordered: introducing Jim to John is the same pair as John to Jim.
    first, second = sorted((party_a, party_b))
    return uuid5(PAIR_INDEX_NAMESPACE, f"{introducer_id}|{first}|{second}")


class PairIndex(ChainedAggregate):
    class PairIndexCreated(ChainedAggregate.Created):
        class_version = 1
        introduction_id: str

    class IntroductionOpened(ChainedAggregate.Event):
        class_version = 1
        introduction_id: str

    @event(PairIndexCreated)
    def __init__(
        self, id: UUID, introduction_id: str, actor_id: str | None, timestamp: datetime
    ) -> None:
        self.open_introduction_id = introduction_id

    @event(IntroductionOpened)
    def opened(self, introduction_id: str, actor_id: str | None, timestamp: datetime) -> None:
        self.open_introduction_id = introduction_id
