"""Loading many aggregates in one storage round trip, for lists in the API (a page of
100 introductions must not cost 300 queries). It reads the library's events table by
its documented columns; other recorders fall back to one query per aggregate."""

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
from domain.storage import backend_of
from domain.use_case_base import UseCaseBase

READ_COPIES = 2048  # aggregates kept for lists; a few KB each


class ReadCopies:
    """The aggregates lists last read, each as of its version, never changed in place:
    a newer version replaces the object (copy-on-write), so a reader holding one never
    sees it move. A list then reads only the events recorded since, instead of every
    event of every aggregate on it (a page of 20 introductions replayed all their
    histories on every request)."""

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
        table = getattr(recorder, "events_table_name", None)
        backend = backend_of(recorder)
        if table and backend == "sqlite":
            return _select_sqlite(recorder, table, ids, after)
        if table and backend == "postgres":
            return _select_postgres(recorder, table, ids, after)
        return [s for u in ids for s in recorder.select_events(u, gt=after.get(u) or None)]


def _select_sqlite(
    recorder: Any, table: str, ids: list[UUID], after: dict[UUID, int]
) -> list[StoredEvent]:
    keys = [u.hex if recorder.datastore.originator_id_type == "uuid" else str(u) for u in ids]
    # One index lookup per aggregate (SQLite runs each term of the OR on the key).
    terms = " OR ".join(["(originator_id = ? AND originator_version > ?)"] * len(ids))
    params = [p for key, u in zip(keys, ids, strict=True) for p in (key, after.get(u, 0))]
    statement = (
        f"SELECT * FROM {table} WHERE {terms} "  # noqa: S608
        "ORDER BY originator_id, originator_version"
    )
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(statement, params)
        rows = c.fetchall()
    return [
        StoredEvent(
            originator_id=recorder.convert_originator_id(r["originator_id"]),
            originator_version=r["originator_version"],
            topic=r["topic"],
            state=r["state"],
        )
        for r in rows
    ]


def _select_postgres(
    recorder: Any, table: str, ids: list[UUID], after: dict[UUID, int]
) -> list[StoredEvent]:
    from psycopg.sql import SQL, Identifier  # only on PostgreSQL: psycopg is its extra

    as_uuid = recorder.datastore.originator_id_type == "uuid"
    statement = SQL(
        "SELECT e.* FROM {schema}.{table} e "
        "JOIN unnest(%s::{kind}[], %s::bigint[]) AS w(id, after) "
        "ON e.originator_id = w.id AND e.originator_version > w.after "
        "ORDER BY e.originator_id, e.originator_version"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(table),
        kind=SQL("uuid" if as_uuid else "text"),
    )
    keys: list[Any] = ids if as_uuid else [str(u) for u in ids]
    versions = [after.get(u, 0) for u in ids]
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(statement, [keys, versions])
        rows = curs.fetchall()
    return [
        StoredEvent(
            originator_id=r["originator_id"],
            originator_version=r["originator_version"],
            topic=r["topic"],
            state=bytes(r["state"]),
        )
        for r in rows
    ]
