"""Loading many aggregates in one storage round trip, for lists in the API (a page of
100 introductions must not cost 300 queries): through the recorder's
`select_events_of_many` (storage.sqlite's and storage.postgres's have one); another
recorder falls back to one query per aggregate."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from copy import deepcopy
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.introduction import Introduction
from domain.person import Person
from domain.use_case_base import UseCaseBase

READ_COPIES = 2048  # aggregates kept for lists; a few KB each


class ReadCopies:
    """The aggregates lists last read, each as of its version, never changed in place:
    a newer version replaces the object (copy-on-write), so a reader holding one never
    sees it move. A list then reads only the events recorded since, instead of every
    event of every aggregate on it (a page of 20 introductions replayed all their
    histories on every request). Not the library's LRUCache: a list gets and puts many at
    once under one lock, where its get and put take one key each."""

    def __init__(self, maxsize: int = READ_COPIES) -> None:
        self._maxsize = maxsize
        self._copies: OrderedDict[UUID, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ids: Sequence[UUID]) -> dict[UUID, Any]:
        with self._lock:
            found = {u: self._copies[u] for u in ids if u in self._copies}
            for u in found:
                self._copies.move_to_end(u)
        return found

    def put(self, aggregates: dict[UUID, Any]) -> None:
        with self._lock:
            for u, aggregate in aggregates.items():
                held = self._copies.get(u)
                if held is None or held.version < aggregate.version:
                    self._copies[u] = aggregate
                self._copies.move_to_end(u)
            while len(self._copies) > self._maxsize:
                self._copies.popitem(last=False)


class BatchedReads(UseCaseBase):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_copies = ReadCopies()

    def get_persons_batched(self, person_ids: Sequence[str]) -> dict[str, Person]:
        """Known persons among the ids, by id as given, as they are now (profiles change:
        the held copies are brought forward by the events since); unknown or malformed
        ids are absent."""
        found = self._aggregates_by_id(person_ids)
        return {k: v for k, v in found.items() if isinstance(v, Person)}

    def get_introductions_batched(
        self, introduction_ids: Sequence[str], actor_id: str
    ) -> dict[str, Introduction]:
        """The introductions among the ids the actor may see."""
        found = self._aggregates_by_id(introduction_ids)
        return {
            k: v
            for k, v in found.items()
            if isinstance(v, Introduction) and v.is_visible_to(actor_id)
        }

    def _aggregates_by_id(self, raw_ids: Sequence[str]) -> dict[str, Any]:
        ids: dict[str, UUID] = {}
        for raw in raw_ids:
            try:
                ids[str(raw)] = UUID(str(raw))
            except ValueError:
                continue
        if not ids:
            return {}
        unique = list(dict.fromkeys(ids.values()))
        held = self._read_copies.get(unique)
        after = {u: held[u].version if u in held else 0 for u in unique}
        newer: dict[UUID, Any] = {}
        for s in self._select_events_of_many(unique, after):
            domain_event: Any = self.mapper.to_domain_event(s)
            aggregate_id = UUID(str(domain_event.originator_id))
            current = newer.get(aggregate_id)
            if current is None and aggregate_id in held:
                current = deepcopy(held[aggregate_id])  # the held copy never changes
            newer[aggregate_id] = domain_event.mutate(current)
        self._read_copies.put(newer)
        aggregates = {**held, **newer}
        return {raw: aggregates[u] for raw, u in ids.items() if u in aggregates}

    def _select_events_of_many(
        self, ids: list[UUID], after: dict[UUID, int] | None = None
    ) -> list[StoredEvent]:
        """The stored events of the given aggregates (each after its version in `after`,
        if given) in one query, in version order."""
        after = after or {}
        recorder: Any = self.recorder
        select_many = getattr(recorder, "select_events_of_many", None)
        if select_many is not None:
            return list(select_many(ids, after))
        return [s for u in ids for s in recorder.select_events(u, gt=after.get(u) or None)]
