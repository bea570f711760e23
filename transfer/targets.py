"""Writing stored events at given log positions, inside one transaction, on SQLite or
PostgreSQL. The library's recorder numbers events itself; an import keeps the source's
positions, so that checkpoints taken before the move still verify after it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol
from uuid import UUID

from storage.database import Storage
from storage.personal_keys import write_key_tables
from transfer.lines import Positioned

# ruff: noqa: S608 - the table name is the library's; values are always bound parameters.


class Target(Protocol):
    def event_count(self) -> int: ...

    def insert(self, events: Sequence[Positioned]) -> None: ...

    def insert_keys(self, rows: dict[str, list[list[Any]]]) -> None: ...

    def finish(self, last_position: int) -> None:
        """Called once every event is in, before the commit."""


class SQLiteTarget:
    def __init__(self, cursor: sqlite3.Cursor, table: str) -> None:
        self.cursor, self.table = cursor, table

    def event_count(self) -> int:
        return int(self.cursor.execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()[0])

    def insert(self, events: Sequence[Positioned]) -> None:
        self.cursor.executemany(
            f"INSERT INTO {self.table} (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    e.position,
                    UUID(str(e.event.originator_id)).hex,  # as the library stores ids in SQLite
                    e.event.originator_version,
                    e.event.topic,
                    e.event.state,
                )
                for e in events
            ],
        )

    def insert_keys(self, rows: dict[str, list[list[Any]]]) -> None:
        write_key_tables(self.cursor, "?", rows)

    def finish(self, last_position: int) -> None:
        pass


class PostgresTarget:
    def __init__(self, cursor: Any, table: str) -> None:
        self.cursor, self.table = cursor, table

    def event_count(self) -> int:
        self.cursor.execute(f"SELECT COUNT(*) FROM {self.table}")
        return int(self.cursor.fetchone()[0])

    def insert(self, events: Sequence[Positioned]) -> None:
        self.cursor.executemany(
            f"INSERT INTO {self.table} "
            "(notification_id, originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s, %s)",
            [
                (
                    e.position,
                    e.event.originator_id,
                    e.event.originator_version,
                    e.event.topic,
                    e.event.state,
                )
                for e in events
            ],
        )

    def insert_keys(self, rows: dict[str, list[list[Any]]]) -> None:
        write_key_tables(self.cursor, "%s", rows)

    def finish(self, last_position: int) -> None:
        if last_position > 0:  # the next event written here follows the imported ones
            self.cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)",
                (self.table, last_position),
            )


@contextmanager
def open_target(storage: Storage, table: str) -> Iterator[Target]:
    """One write transaction holding the event table against every other writer;
    committed if the block ends normally, rolled back otherwise."""
    if storage.kind == "postgres":
        import psycopg

        from webhooks.store_postgres import connection_arguments

        arguments = connection_arguments(storage)
        with (
            psycopg.connect(**arguments) as connection,
            connection.transaction(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            yield PostgresTarget(cursor, table)
        return
    assert storage.sqlite_path is not None
    database = sqlite3.connect(storage.sqlite_path, timeout=30.0, isolation_level=None)
    try:
        writing = database.cursor()
        writing.execute("BEGIN IMMEDIATE")
        try:
            yield SQLiteTarget(writing, table)
        except BaseException:
            writing.execute("ROLLBACK")
            raise
        writing.execute("COMMIT")
    finally:
        database.close()
