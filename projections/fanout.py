"""Decodes a batch of notifications once and folds it into every view, in one
transaction: each view's rows and its position move together, or not at all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Mapper, Notification
from eventsourcing.utils import get_topic

from domain.introduction import Introduction
from projections import progress
from projections.base import Positioned, ViewProjection
from projections.views import APPLICATION_NAME, View

Ev = Introduction
# Views only read Introduction events; persons and pair indexes are skipped undecoded.
TOPICS = frozenset(
    get_topic(cls)
    for cls in (
        Ev.IntroductionProposed,
        Ev.ConsentGiven,
        Ev.ConsentDeclined,
        Ev.ReplyRecorded,
        Ev.RelationshipFormed,
        Ev.IntroductionBurned,
        Ev.IntroductionExpired,
    )
)


class Fanout:
    def __init__(self, projections: Sequence[ViewProjection[Any]], mapper: Mapper[Any]) -> None:
        self.projections = list(projections)
        self.mapper = mapper
        self.positions: dict[str, int] = {}
        self.reload()

    @property
    def store(self) -> View:
        return self.projections[0].typed_view

    def reload(self) -> int:
        """Reads every view's position; returns the smallest (where to read from)."""
        self.positions = {
            p.name: p.typed_view.max_tracking_id(APPLICATION_NAME) or 0 for p in self.projections
        }
        return self.start()

    def start(self) -> int:
        return min(self.positions.values(), default=0)

    def handle(self, notifications: Sequence[Notification]) -> None:
        """Folds a batch (ascending positions); raises PositionMovedError, with nothing
        written, if another process moved a view meanwhile."""
        if not notifications:
            return
        last = notifications[-1].id
        decode = self.mapper.to_domain_event
        decoded: list[Positioned] = [
            (n.id, decode(n), str(n.originator_id)) for n in notifications if n.topic in TOPICS
        ]
        moved = {}
        with self.store.write() as cur:
            for projection in self.projections:
                position = self.positions[projection.name]
                if last <= position:
                    continue
                events = decoded
                if decoded and decoded[0][0] <= position:
                    events = [item for item in decoded if item[0] > position]
                projection.write_batch(cur, events, position, last)
                moved[projection.name] = last
        self.positions.update(moved)
        progress.announce()
