"""eventsourcing's PostgreSQL application recorder with our settings: it commits in groups
(storage.group_commit) and reads the events of many aggregates in one query. Apart from
storage.sqlite because psycopg is installed only to use it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from storage.group_commit import GroupCommit
from storage.personal_keys import AesGcmKeyring, KeyTables, create_statements, record_keys


class _UnpipelinedRecorder(PostgresApplicationRecorder):
    """The library's insert in a plain transaction rather than a psycopg pipeline. In a
    pipeline, a lost race (the events insert failing on an aggregate's version) aborts the
    key inserts queued after it, and psycopg then raises on the next use of the connection
    ("pipeline aborted", or "prepared statement does not exist") instead of the conflict.
    It costs a round trip per statement, where the pipeline sent them together."""

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return []
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)


class PostgresLogRecorder(GroupCommit, _UnpipelinedRecorder):
    keyring: AesGcmKeyring | None = None  # set by the application that writes through it

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prefix = f'"{self.datastore.schema}".' if self.datastore.schema else ""
        self.key_tables = KeyTables(prefix, "%s", lambda _cursor: None)
        self.sql_create_statements += [SQL(s).format() for s in create_statements(prefix, "BYTEA")]

    def _insert_stored_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_stored_events(curs, stored_events, **kwargs)  # under the table lock
        # Another cursor: the library reads the new notification ids from this one.
        with curs.connection.cursor() as keys_cursor:
            record_keys(keys_cursor, self.key_tables, self.keyring, stored_events)

    def read_secret(self, key_id: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.key_tables.select, (key_id,))
            row = curs.fetchone()
        return None if row is None else bytes(row["secret"])

    def select_events_of_many(
        self, ids: Sequence[UUID], after: dict[UUID, int]
    ) -> list[StoredEvent]:
        """As storage.sqlite's: one query, here joining arrays of ids and versions."""
        as_uuid = self.datastore.originator_id_type == "uuid"
        statement = SQL(
            "SELECT e.* FROM {schema}.{table} e "
            "JOIN unnest(%s::{kind}[], %s::bigint[]) AS w(id, after) "
            "ON e.originator_id = w.id AND e.originator_version > w.after "
            "ORDER BY e.originator_id, e.originator_version"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            kind=SQL("uuid" if as_uuid else "text"),
        )
        keys: list[Any] = list(ids) if as_uuid else [str(u) for u in ids]
        versions = [after.get(u, 0) for u in ids]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
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
