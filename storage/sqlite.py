"""eventsourcing's SQLite persistence with our settings. The factory has one more setting
for the connections it makes: SQLITE_BACKGROUND_CHECKPOINTS (`checkpointing_in_background`),
with which they never checkpoint the write-ahead log, and a thread does while the factory
is open (storage.wal_checkpoints says why). The application recorder commits in groups
(storage.group_commit) and reads the events of many aggregates in one query."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
)
from eventsourcing.sqlite import SQLiteFactory as LibrarySQLiteFactory
from eventsourcing.utils import strtobool

from storage import local_commits, wal_checkpoints
from storage.database import Storage
from storage.group_commit import GroupCommit
from storage.personal_keys import AesGcmKeyring, KeyTables, create_statements, record_keys

BACKGROUND_CHECKPOINTS = "SQLITE_BACKGROUND_CHECKPOINTS"


def checkpointing_in_background(storage: Storage) -> Storage:
    """The same storage, its log checkpointed by a thread while a factory has it open
    (an SQLite file only; another storage is returned as it is)."""
    if storage.kind != "sqlite" or storage.sqlite_path in (None, ":memory:"):
        return storage
    return dataclasses.replace(storage, env={**storage.env, BACKGROUND_CHECKPOINTS: "y"})


class SQLiteFactory(LibrarySQLiteFactory):
    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self._checkpoints: str | None = None
        if strtobool(self.env.get(BACKGROUND_CHECKPOINTS, "n")):
            library_pool = self.datastore.pool
            self.datastore.pool = _PoolWithoutCheckpoints(
                db_name=library_pool.db_name, lock_timeout=library_pool.lock_timeout
            )
            library_pool.close()  # it has made no connection: pools connect on demand
            self._checkpoints = wal_checkpoints.acquire(library_pool.db_name)

    def close(self) -> None:
        super().close()
        key, self._checkpoints = self._checkpoints, None
        if key is not None:
            wal_checkpoints.release(key)


class _PoolWithoutCheckpoints(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        return connection


def _secure_delete(cursor: Any) -> None:
    # Deleted keys and rewritten rows are zeroed in their pages, not left on free pages.
    cursor.execute("PRAGMA secure_delete=ON")


class SQLiteLogRecorder(GroupCommit, SQLiteApplicationRecorder):
    keyring: AesGcmKeyring | None = None  # set by the application that writes through it
    key_tables = KeyTables("", "?", _secure_delete)
    _commits_key: str | None = None

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        if self._commits_key is None:
            self._commits_key = local_commits.key(self.datastore.pool.db_name)
        local_commits.announce(self._commits_key)
        return ids

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *create_statements("", "BLOB")]

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        record_keys(c, self.key_tables, self.keyring, stored_events)
        return ids

    def read_secret(self, key_id: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.key_tables.select, (key_id,))
            row = c.fetchone()
        return None if row is None else bytes(row[0])

    def select_events_of_many(
        self, ids: Sequence[UUID], after: dict[UUID, int]
    ) -> list[StoredEvent]:
        """The stored events of the aggregates, each after its version in `after`, in one
        query, in version order (it reads the library's events table by its columns)."""
        as_uuid = self.datastore.originator_id_type == "uuid"
        keys = [u.hex if as_uuid else str(u) for u in ids]
        # One index lookup per aggregate (SQLite runs each term of the OR on the key).
        terms = " OR ".join(["(originator_id = ? AND originator_version > ?)"] * len(ids))
        params = [p for key, u in zip(keys, ids, strict=True) for p in (key, after.get(u, 0))]
        statement = (
            f"SELECT * FROM {self.events_table_name} WHERE {terms} "  # noqa: S608
            "ORDER BY originator_id, originator_version"
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            rows = c.fetchall()
        return [
            StoredEvent(
                originator_id=self.convert_originator_id(r["originator_id"]),
                originator_version=r["originator_version"],
                topic=r["topic"],
                state=r["state"],
            )
            for r in rows
        ]
