"""What every view shares: its tables, its tracking position, and transactions, on SQLite
and on PostgreSQL.

A view is an eventsourcing TrackingRecorder: its rows and its position in the log are
written in one transaction. Each view keeps its own tracking table (`<name>_tracking`),
so that one view can be rebuilt while the others stay as they are. Positions only move by
compare-and-set (`advance`), so two workers following the same log, or a worker racing a
rebuild, can never both apply the same events: the loser's transaction rolls back.

SQL is written once, with `?` placeholders and `{s}` before table names; `sql()` turns it
into the dialect's text (storage.dialect). The DDL uses only
types both databases understand (TEXT, BIGINT, DOUBLE PRECISION); times are stored as
integer microseconds since the Unix epoch, so they compare and index the same way in both.
"""

# ruff: noqa: S608 - table and column names are this module's constants; values are
# always bound parameters.

from __future__ import annotations

import sqlite3
import weakref
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from domain.application import IntroductionsApp
from migrations import Migration, forget, migrate
from storage.dialect import Dialect

APPLICATION_NAME = IntroductionsApp.name  # what positions in its log are tracked under
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SQLITE_MAX_PARAMS = 500
_SQLITE_CACHE_KIB = -65536  # negative: KiB, i.e. a 64 MiB page cache per connection
_SQLITE_CHECKPOINT_PAGES = 20000  # about 80 MB of WAL
_TUNED_FOR_WRITING: weakref.WeakSet[Any] = weakref.WeakSet()  # connections given the PRAGMAs

Cursor = Any  # a sqlite3.Cursor or a psycopg Cursor returning tuples
Row = tuple[Any, ...]


def to_us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def column_names(columns: str) -> list[str]:
    return [c.strip() for c in columns.split(",")]


def insert_sql(table: str, columns: str, source: str) -> str:
    """INSERT of `columns` from `source` (a VALUES list or a SELECT)."""
    return f"INSERT INTO {{s}}{table} ({columns}) {source}"


def upsert_sql(table: str, columns: str, source: str) -> str:
    """`insert_sql`, replacing the row whose primary key (the first column) is taken."""
    names = column_names(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in names[1:])
    return f"{insert_sql(table, columns, source)} ON CONFLICT ({names[0]}) DO UPDATE SET {updates}"


def _values(columns: str) -> str:
    return f"VALUES ({','.join('?' * len(column_names(columns)))})"


class PositionMovedError(Exception):
    """Someone else moved this view's position first (another worker, or a rebuild)."""


class View:
    """The dialect-neutral part of a view; `SQLiteView` and `postgres.PostgresView`
    complete it."""

    name: ClassVar[str]
    # Schema version 1: CREATE TABLE / CREATE INDEX statements ("IF NOT EXISTS"), the
    # tracking table excluded. Never edit it: a change is a new entry in `upgrades`.
    ddl: ClassVar[tuple[str, ...]]
    upgrades: ClassVar[tuple[tuple[str, ...], ...]] = ()  # schema versions 2, 3, …
    tables: ClassVar[tuple[str, ...]]  # every table the view owns, for drop()

    @property
    def tracking_table(self) -> str:
        return f"{self.name}_tracking"

    @property
    @abstractmethod
    def dialect(self) -> Dialect: ...

    @abstractmethod
    def write(self) -> Any:
        """A context manager: a write transaction, yielding a cursor."""

    @abstractmethod
    def read(self) -> Any:
        """A context manager: a read-only transaction, yielding a cursor."""

    # --- SQL text -------------------------------------------------------------------

    def sql(self, template: str) -> str:
        return self.dialect.sql(template)

    # --- rows -----------------------------------------------------------------------

    def load(
        self, cur: Cursor, table: str, columns: str, key: str, keys: Iterable[Any]
    ) -> dict[Any, list[Any]]:
        """Rows of `table` whose `key` is in `keys`, by key, as mutable lists."""
        keys = list(keys)
        found: dict[Any, list[Any]] = {}
        for i in range(0, len(keys), _SQLITE_MAX_PARAMS):
            where, params = self.dialect.in_list(key, keys[i : i + _SQLITE_MAX_PARAMS])
            cur.execute(self.sql(f"SELECT {columns} FROM {{s}}{table} WHERE {where}"), params)
            for row in cur.fetchall():
                found[row[0]] = list(row)
        return found

    def upsert(self, cur: Cursor, table: str, columns: str, rows: Sequence[Row]) -> None:
        """Insert or replace rows; the first column is the primary key."""
        if rows:
            cur.executemany(self.sql(upsert_sql(table, columns, _values(columns))), rows)

    def insert(self, cur: Cursor, table: str, columns: str, rows: Sequence[Row]) -> None:
        if rows:
            cur.executemany(self.sql(insert_sql(table, columns, _values(columns))), rows)

    def delete(self, cur: Cursor, table: str, key: str, keys: Iterable[Any]) -> None:
        params = [(k,) for k in keys]
        if params:
            cur.executemany(self.sql(f"DELETE FROM {{s}}{table} WHERE {key} = ?"), params)

    # --- tables and tracking ----------------------------------------------------------

    def create_table(self) -> None:
        with self.write() as cur:
            self._lock_ddl(cur)
            self._create(cur)

    def migrations(self) -> list[Migration]:
        tracking = (
            f"CREATE TABLE IF NOT EXISTS {{s}}{self.tracking_table} ("
            "application_name TEXT PRIMARY KEY, notification_id BIGINT NOT NULL)"
        )
        versions = [(tracking, *self.ddl), *self.upgrades]
        return [
            Migration(number, tuple(self.sql(s) for s in statements))
            for number, statements in enumerate(versions, start=1)
        ]

    def _create(self, cur: Cursor) -> None:
        migrate(cur, self.dialect, self.name, self.migrations())
        cur.execute(
            self.sql(
                f"INSERT INTO {{s}}{self.tracking_table} VALUES (?, 0) "
                "ON CONFLICT (application_name) DO NOTHING"
            ),
            (APPLICATION_NAME,),
        )

    def drop(self) -> None:
        """Empties the view and puts its position back to the start of the log."""
        with self.write() as cur:
            self._lock_ddl(cur)
            for table in (*self.tables, self.tracking_table):
                cur.execute(self.sql(f"DROP TABLE IF EXISTS {{s}}{table}"))
            forget(cur, self.dialect, self.name)  # so that every version is applied again
            self._create(cur)

    def _lock_ddl(self, cur: Cursor) -> None:
        """Serialises DDL between processes where the database needs it."""

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.read() as cur:
            return self.position_in(cur, application_name)

    def position_in(self, cur: Cursor, application_name: str = APPLICATION_NAME) -> int | None:
        cur.execute(
            self.sql(
                f"SELECT notification_id FROM {{s}}{self.tracking_table} WHERE application_name = ?"
            ),
            (application_name,),
        )
        row = cur.fetchone()
        return None if row is None else int(row[0])

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.write() as cur:
            current = self.position_in(cur, tracking.application_name) or 0
            self.advance(cur, current, tracking.notification_id, tracking.application_name)

    def advance(
        self,
        cur: Cursor,
        expected: int,
        new: int,
        application_name: str = APPLICATION_NAME,
    ) -> None:
        """Moves the position from `expected` to `new`, or raises PositionMovedError.
        Called first in a transaction, so that a racing writer waits here on PostgreSQL
        (row lock) and then fails, instead of computing from rows it cannot see yet."""
        cur.execute(
            self.sql(
                f"UPDATE {{s}}{self.tracking_table} SET notification_id = ? "
                "WHERE application_name = ? AND notification_id = ?"
            ),
            (new, application_name, expected),
        )
        if cur.rowcount != 1:
            msg = f"the {self.name} view is no longer at position {expected}"
            raise PositionMovedError(msg)


class SQLiteView(View, SQLiteTrackingRecorder):
    datastore: SQLiteDatastore
    dialect = Dialect.sqlite()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Cursor]:
        # BEGIN IMMEDIATE takes the write lock up front, so that a concurrent writer in
        # another process waits (busy timeout) instead of failing half-way through.
        with self.datastore.get_connection(commit=True) as conn:
            cur = conn.cursor().sqlite_cursor
            cur.row_factory = None
            if conn not in _TUNED_FOR_WRITING:  # settings last as long as the connection
                # In WAL mode, NORMAL skips the fsync of every commit yet never corrupts: a
                # power cut can only lose the latest view transactions, and their positions
                # with them, so the views stay consistent and simply catch up again.
                cur.execute("PRAGMA synchronous = NORMAL")
                cur.execute(f"PRAGMA cache_size = {_SQLITE_CACHE_KIB}")
                # A forgotten person's rewritten rows leave no bytes on free pages.
                cur.execute("PRAGMA secure_delete = ON")
                # Catch-up rewrites the same index pages batch after batch: checkpointing
                # less often writes each of them back to the database file once, not 20 times.
                # At 0, a thread checkpoints instead (storage.wal_checkpoints): left so.
                if cur.execute("PRAGMA wal_autocheckpoint").fetchone()[0]:
                    cur.execute(f"PRAGMA wal_autocheckpoint = {_SQLITE_CHECKPOINT_PAGES}")
                _TUNED_FOR_WRITING.add(conn)
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Cursor]:
        with self.datastore.get_connection(commit=False) as conn:
            cur = conn.cursor().sqlite_cursor
            cur.row_factory = None
            cur.execute("BEGIN")
            try:
                yield cur
            finally:
                conn.rollback()
