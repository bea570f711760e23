"""The projection side of a view: how a batch of Introduction events changes its rows."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain import introduction
from domain.introduction import Introduction
from projections.views import Cursor, View

V = TypeVar("V", bound=View)
R = TypeVar("R")
Positioned = tuple[int, Any, str]  # (log position, domain event, its aggregate's id)
INTRODUCTION_EVENTS: frozenset[type[Any]] = frozenset(introduction.INTRODUCTION_EVENTS)


def columns_of(row_class: type[Any]) -> tuple[str, Callable[[Any], tuple[Any, ...]]]:
    """A table's columns, declared as the fields of the dataclass that a fold changes its
    rows as: the columns as SQL, and what gives a row's values in their order."""
    names = [f.name for f in fields(row_class)]
    return ", ".join(names), attrgetter(*names)


def earlier_introductions(events: Sequence[Positioned]) -> set[str]:
    """Introductions with events in the batch that were proposed before it: the only
    ones that can have rows already (saves looking up the others)."""
    proposed = {i for _, e, i in events if type(e) is Introduction.IntroductionProposed}
    return {i for _, _, i in events if i not in proposed}


class OpenRows(Generic[R]):
    """A batch's rows of a table keyed by introduction id (its first column) that holds
    open introductions only: the stored ones the batch touches, loaded once; `open` adds
    one, `close` marks one to go; `save` writes what stays and deletes what went."""

    def __init__(
        self, view: View, cur: Cursor, table: str, row_class: type[R], events: Sequence[Positioned]
    ) -> None:
        self.view, self.table = view, table
        self.columns, self._values = columns_of(row_class)
        key = self.columns.split(",", 1)[0]
        loaded = view.load(cur, table, self.columns, key, earlier_introductions(events))
        self.rows: dict[str, R] = {k: row_class(*row) for k, row in loaded.items()}
        self._stored = set(self.rows)
        self._closed: set[str] = set()

    def open(self, introduction_id: str, row: R) -> None:
        self.rows[introduction_id] = row
        self._closed.discard(introduction_id)

    def close(self, introduction_id: str) -> None:
        self._closed.add(introduction_id)

    def save(self, cur: Cursor) -> None:
        key = self.columns.split(",", 1)[0]
        self.view.delete(cur, self.table, key, sorted(self._closed & self._stored))
        kept = [self._values(r) for k, r in sorted(self.rows.items()) if k not in self._closed]
        self.view.upsert(cur, self.table, self.columns, kept)


class ViewProjection(Projection[Any], Generic[V]):
    """Folds events into its view. `write_batch` is the one way rows change: it moves the
    tracking position first, then applies the events, in the caller's transaction; a
    batch is folded exactly as the same events one at a time would be, so a view caught
    up in big batches equals one that followed the log live."""

    event_types: ClassVar[frozenset[type[Any]]] = INTRODUCTION_EVENTS  # what `fold` is given

    def __init__(self, view: V) -> None:
        super().__init__(view)
        self.typed_view: V = view
        self.name = view.name  # one name: the view's

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        with self.typed_view.write() as cur:
            position = self.typed_view.position_in(cur) or 0
            self.write_batch(
                cur,
                [(tracking.notification_id, domain_event, str(domain_event.originator_id))],
                position,
                tracking.notification_id,
            )

    def write_batch(
        self, cur: Cursor, events: Sequence[Positioned], expected: int, new: int
    ) -> None:
        self.typed_view.advance(cur, expected, new)
        if events:
            self.fold(cur, events)

    @abstractmethod
    def fold(self, cur: Cursor, events: Sequence[Positioned]) -> None:
        """Applies events of `event_types` (in log order, with their positions) to the rows."""
