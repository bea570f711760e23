"""Decodes a batch of notifications once and folds it into every view, in one
transaction: each view's rows and its position move together, or not at all."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Mapper, Notification
from eventsourcing.utils import get_topic

from projections import progress
from projections.base import Positioned, ViewProjection
from projections.views import APPLICATION_NAME, SQLiteView, View


class Fanout:
    def __init__(
        self,
        projections: Sequence[ViewProjection[Any]],
        mapper: Mapper[Any],
        database: str | None = None,
    ) -> None:
        """`database` (its URL) when these are all the views, so that readers in this
        process learn how far they have got."""
        self.projections = list(projections)
        self.mapper = mapper
        self.database = database
        self.positions: dict[str, int] = {}
        # Only the events some view folds are decoded; the others are skipped undecoded.
        self.topics = frozenset(get_topic(cls) for p in self.projections for cls in p.event_types)
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

    def decode(self, notifications: Sequence[Notification]) -> Decoded:
        """The batch's events that some view folds, as domain events."""
        decode, topics = self.mapper.to_domain_event, self.topics
        return Decoded(
            last=notifications[-1].id if notifications else 0,
            count=len(notifications),
            events=[
                (n.id, decode(n), str(n.originator_id)) for n in notifications if n.topic in topics
            ],
        )

    def handle(self, notifications: Sequence[Notification]) -> None:
        if notifications:
            self.apply(self.decode(notifications))

    def apply(self, batch: Decoded) -> None:
        """Folds a decoded batch into every view that has not seen it; raises
        PositionMovedError, with nothing written, if another process moved a view."""
        moved = {}
        by_types: dict[frozenset[type[Any]], list[Positioned]] = {}
        with self.store.write() as cur:
            for projection in self.projections:
                position = self.positions[projection.name]
                if batch.last <= position:
                    continue
                kinds = projection.event_types
                events = by_types.get(kinds)
                if events is None:
                    events = [item for item in batch.events if type(item[1]) in kinds]
                    by_types[kinds] = events
                if events and events[0][0] <= position:
                    events = [item for item in events if item[0] > position]
                projection.write_batch(cur, events, position, batch.last)
                moved[projection.name] = batch.last
        self.positions.update(moved)
        progress.announce(self.database, self.start())


@dataclass(frozen=True)
class Decoded:
    last: int  # the batch's last log position, whatever its type
    count: int  # notifications read, of every type
    events: list[Positioned]


class Prefetch:
    """Decodes the next batches in a background thread while the current one is being
    written, when the views are on PostgreSQL: the server does the writing while this
    process decodes. On SQLite the writing is done in this process, where a second
    Python thread only contends for the GIL and is no faster, so batches are decoded
    inline there."""

    def __init__(
        self, batches: Iterator[Sequence[Notification]], fanout: Fanout, depth: int = 2
    ) -> None:
        self._decoded: queue.Queue[Decoded | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._closed = False
        self._inline: Iterator[Decoded] | None = None
        self._thread = threading.Thread(
            target=self._produce, args=(batches, fanout), name="projections-decode", daemon=True
        )
        if isinstance(fanout.store, SQLiteView):
            self._inline = (fanout.decode(batch) for batch in batches if batch)
        else:
            self._thread.start()

    def _produce(self, batches: Iterator[Sequence[Notification]], fanout: Fanout) -> None:
        try:
            for batch in batches:
                if self._closed:
                    break
                if batch:
                    self._decoded.put(fanout.decode(batch))
        except BaseException as e:
            self._error = e
        finally:
            self._decoded.put(None)

    def __iter__(self) -> Iterator[Decoded]:
        if self._inline is not None:
            yield from self._inline
            return
        while (batch := self._decoded.get()) is not None:
            yield batch
        self._thread.join()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Stops decoding; the source must end soon (a stopped subscription does)."""
        self._closed = True
        if self._thread.is_alive():
            while self._decoded.get() is not None:
                pass
            self._thread.join()
