"""eventsourcing's SQLite factory, with a setting of ours for the connections it makes:
SQLITE_BACKGROUND_CHECKPOINTS (`checkpointing_in_background`), with which they never
checkpoint the write-ahead log, and a thread does while the factory is open
(domain.wal_checkpoints says why)."""

from __future__ import annotations

import dataclasses
from typing import Any

from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool
from eventsourcing.sqlite import SQLiteFactory as LibrarySQLiteFactory
from eventsourcing.utils import strtobool

from domain import wal_checkpoints
from domain.storage import Storage

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
