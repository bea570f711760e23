"""Everything PostgreSQL-specific, imported only when the storage is PostgreSQL (so that
an SQLite deployment needs no PostgreSQL driver): the views' base class (each view is
made of it and its own class in projections.registry), and the library's LISTEN/NOTIFY
subscription with batches."""

# ruff: noqa: S608 - table and column names are this module's constants; values are
# always bound parameters.

from __future__ import annotations

import contextlib
import functools
import select
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresSubscription,
    PostgresTrackingRecorder,
)
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from projections.subscription import Batches
from projections.views import Cursor, Row, View, column_names, insert_sql, upsert_sql
from storage.dialect import Dialect


class PostgresView(View, PostgresTrackingRecorder):
    datastore: PostgresDatastore

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name=f"{self.name}_tracking")

    @functools.cached_property
    def dialect(self) -> Dialect:
        return Dialect.postgres(self.datastore.schema)

    @contextmanager
    def write(self) -> Iterator[Any]:
        with self.datastore.get_connection() as conn, conn.transaction():
            cur = conn.cursor(row_factory=tuple_row)
            # Like NORMAL on SQLite: a server crash can only lose the latest view
            # transactions together with their positions; the views then catch up again.
            cur.execute("SET LOCAL synchronous_commit TO OFF")
            yield cur

    @contextmanager
    def read(self) -> Iterator[Any]:
        with self.datastore.get_connection() as conn, conn.transaction(force_rollback=True):
            yield conn.cursor(row_factory=tuple_row)

    # Row-at-a-time executemany costs a round trip per row here; these send a whole
    # batch as one array per column instead.

    def upsert(self, cur: Cursor, table: str, columns: str, rows: Sequence[Row]) -> None:
        if rows:
            statement = upsert_sql(table, columns, self._unnest(cur, table, columns))
            cur.execute(self.sql(statement), [list(c) for c in zip(*rows, strict=True)])

    def insert(self, cur: Cursor, table: str, columns: str, rows: Sequence[Row]) -> None:
        if rows:
            statement = insert_sql(table, columns, self._unnest(cur, table, columns))
            cur.execute(self.sql(statement), [list(c) for c in zip(*rows, strict=True)])

    def delete(self, cur: Cursor, table: str, key: str, keys: Iterable[Any]) -> None:
        keys = list(keys)
        if keys:
            cur.execute(self.sql(f"DELETE FROM {{s}}{table} WHERE {key} = ANY(%b)"), [keys])

    def _unnest(self, cur: Cursor, table: str, columns: str) -> str:
        types: dict[str, str] = self.__dict__.setdefault("_column_types", {})
        if table not in types:
            cur.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s",
                (self.datastore.schema, table),
            )
            types.update({f"{table}.{name}": kind for name, kind in cur.fetchall()})
            types[table] = table
        # %b: binary arrays, which psycopg dumps without scanning every string for quotes.
        arrays = ", ".join(f"%b::{types[f'{table}.{name}']}[]" for name in column_names(columns))
        return f"SELECT * FROM unnest({arrays})"

    def _lock_ddl(self, cur: Cursor) -> None:
        # Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalogue.
        key = zlib.crc32(f"{self.datastore.schema}.{self.name}".encode())
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (key,))


# Seconds the listener waits for a NOTIFY before it looks at its stop flag again; stop()
# sends one, so that an idle follower seldom wakes and still stops at once.
LISTEN_ROUND = 5.0
QUIET_PULL_EVERY = 2  # listening rounds without a NOTIFY before a pull anyway


class PostgresBatchSubscription(Batches, PostgresSubscription):
    # The library's page size (500) is kept: its pull thread starts in __init__ and
    # takes a short page for the end of the log, so changing the size afterwards would
    # make it stop pulling early and wait for a NOTIFY that may never come.
    def __init__(self, recorder: PostgresApplicationRecorder, gt: int | None = None) -> None:
        super().__init__(recorder=recorder, gt=gt)

    def _listen(self) -> None:
        """The library's listening loop, with two more pulls. Its pull thread reads the
        log before LISTEN is in place, and an event committed in between sends its NOTIFY
        to no one; so it pulls once LISTEN is in place, and after quiet rounds in case
        a NOTIFY was lost."""
        try:
            with self._recorder.datastore.get_connection() as conn:
                conn.execute(SQL("LISTEN {0}").format(Identifier(self._recorder.channel_name)))
                self._has_been_notified.set()
                quiet = 0
                while not self._has_been_stopped and not self._thread_error:
                    # notifies(timeout=...) wakes every 0.1 s (psycopg's wait interval):
                    # the socket is waited on here, and notifies only drains what came.
                    select.select([conn.fileno()], [], [], LISTEN_ROUND)
                    if list(conn.notifies(timeout=0)):
                        self._has_been_notified.set()
                        quiet = 0
                        continue
                    quiet += 1
                    if quiet >= QUIET_PULL_EVERY:
                        self._has_been_notified.set()
                        quiet = 0
        except BaseException as e:
            if self._thread_error is None:
                self._thread_error = e
            self.stop()

    def stop(self) -> None:
        super().stop()
        # Wakes this listener now (and, once, any other of the log's: they find nothing).
        with contextlib.suppress(Exception), self._recorder.datastore.get_connection() as conn:
            conn.execute(SQL("NOTIFY {0}").format(Identifier(self._recorder.channel_name)))
