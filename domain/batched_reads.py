"""Loading many aggregates in one storage round trip, for lists in the API (a page of
100 introductions must not cost 300 queries). It reads the library's events table by
its documented columns; other recorders fall back to one query per aggregate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.errors import BadInput
from domain.introduction import Introduction
from domain.person import Person
from domain.storage import backend_of
from domain.use_case_base import UseCaseBase


class BatchedReads(UseCaseBase):
    def get_persons_batched(self, person_ids: Sequence[str]) -> dict[str, Person]:
        """Known persons among the ids, by id as given; unknown or malformed ids are absent.
        What it reads goes to the aggregate cache (a person never changes)."""
        found = self._aggregates_by_id(person_ids)
        persons = {k: v for k, v in found.items() if isinstance(v, Person)}
        if self.repository.cache is not None:
            for person in persons.values():
                self.repository.cache.put(person.id, person)
        return persons

    def cached_persons(self, person_ids: Sequence[str]) -> dict[str, Person]:
        """The persons among the ids that are in the aggregate cache: memory only, no
        I/O, so it may be called on an event loop."""
        found = {}
        for raw in person_ids:
            try:
                person = self._cached_person(raw, "id")
            except BadInput:
                continue
            if person is not None:
                found[raw] = person
        return found

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
        stored = self._select_events_of_many(list(dict.fromkeys(ids.values())))
        aggregates: dict[UUID, Any] = {}
        for s in stored:
            domain_event: Any = self.mapper.to_domain_event(s)
            aggregate_id = UUID(str(domain_event.originator_id))
            aggregates[aggregate_id] = domain_event.mutate(aggregates.get(aggregate_id))
        return {raw: aggregates[u] for raw, u in ids.items() if u in aggregates}

    def _select_events_of_many(self, ids: list[UUID]) -> list[StoredEvent]:
        """Every stored event of the given aggregates in one query, in version order."""
        recorder: Any = self.recorder
        table = getattr(recorder, "events_table_name", None)
        backend = backend_of(recorder)
        if table and backend == "sqlite":
            return _select_sqlite(recorder, table, ids)
        if table and backend == "postgres":
            return _select_postgres(recorder, table, ids)
        return [s for u in ids for s in recorder.select_events(u)]


def _select_sqlite(recorder: Any, table: str, ids: list[UUID]) -> list[StoredEvent]:
    marks = ",".join("?" * len(ids))
    keys = [u.hex if recorder.datastore.originator_id_type == "uuid" else str(u) for u in ids]
    statement = (
        f"SELECT * FROM {table} WHERE originator_id IN ({marks}) "  # noqa: S608
        "ORDER BY originator_id, originator_version"
    )
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(statement, keys)
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


def _select_postgres(recorder: Any, table: str, ids: list[UUID]) -> list[StoredEvent]:
    from psycopg.sql import SQL, Identifier  # only on PostgreSQL: psycopg is its extra

    statement = SQL(
        "SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) "
        "ORDER BY originator_id, originator_version"
    ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(table))
    keys: list[Any] = (
        ids if recorder.datastore.originator_id_type == "uuid" else [str(u) for u in ids]
    )
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(statement, [keys])
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
