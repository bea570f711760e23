"""Where deliveries live: next to the events (the same SQLite file, or the same PostgreSQL
schema). The follower's position, its view of the endpoints and the deliveries it derives
from a batch of events are written in one transaction, so a crash can never move the
position past an event whose deliveries were not recorded."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from migrations import Migration, migrate
from storage.database import Storage, use_wal
from storage.dialect import Dialect
from webhooks.records import (
    DELIVERY_COLUMNS,
    ENDPOINT_COLUMNS,
    AttemptResult,
    Delivery,
    DeliveryStatus,
    EndpointRow,
    NewDelivery,
)

TRACKING_NAME = "webhooks"
MIGRATIONS_COMPONENT = "webhooks"


class Cursor:
    """Runs this package's SQL (written with ? placeholders) on either database."""

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self.raw = raw
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.raw.execute(self.dialect.sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(self.dialect.sql(sql), [tuple(r) for r in rows])

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()]


class Transaction:
    """The follower's writes, all inside one database transaction."""

    def __init__(self, cursor: Cursor, lock_tracking_sql: str) -> None:
        self.cursor = cursor
        self.lock_tracking_sql = lock_tracking_sql

    def position(self) -> int:
        rows = self.cursor.all(self.lock_tracking_sql, (TRACKING_NAME,))
        return int(rows[0][0]) if rows else 0

    def move_to(self, position: int) -> None:
        self.cursor.execute(
            "INSERT INTO webhook_tracking (name, position) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            (TRACKING_NAME, position),
        )

    def endpoints(self) -> dict[str, EndpointRow]:
        rows = self.cursor.all(f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints")  # noqa: S608
        return {r[0]: EndpointRow.from_row(r) for r in rows}

    def save_endpoint(self, endpoint: EndpointRow) -> None:
        self.cursor.execute(
            f"INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) "  # noqa: S608
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "url = excluded.url, event_types = excluded.event_types, "
            "active = excluded.active, secret = excluded.secret, "
            "old_secret = excluded.old_secret, "
            "old_secret_valid_until = excluded.old_secret_valid_until",
            endpoint.as_params(),
        )

    def add_deliveries(self, deliveries: Sequence[NewDelivery], now: float) -> None:
        if not deliveries:
            return
        self.cursor.executemany(
            "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, position, "
            "occurred_at, body, status, attempts, round_attempts, next_attempt_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, 0, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            [_new_row(d, now) for d in deliveries],
        )

    def schedule_again(self, deliveries: Sequence[NewDelivery], now: float) -> None:
        """Replay: (re)creates each delivery as PENDING now, keeping its attempt count."""
        self.cursor.executemany(
            "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, position, "
            "occurred_at, body, status, attempts, round_attempts, next_attempt_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, 0, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET status = 'PENDING', round_attempts = 0, "
            "next_attempt_at = excluded.next_attempt_at, lease_owner = NULL, lease_until = NULL",
            [_new_row(d, now) for d in deliveries],
        )


def _new_row(d: NewDelivery, now: float) -> tuple[object, ...]:
    """A new delivery's columns, due now: id … body, next_attempt_at, created_at."""
    return (
        d.id,
        d.webhook_id,
        d.event_id,
        d.event_type,
        d.position,
        d.occurred_at,
        d.body,
        now,
        now,
    )


class DeliveryStore(ABC):
    lock_tracking_sql = "SELECT position FROM webhook_tracking WHERE name = ?"

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one connection per store, used by one thread at a time

    # --- per-database parts --------------------------------------------------------

    @abstractmethod
    def _schema(self) -> list[str]: ...

    @abstractmethod
    @contextmanager
    def _cursor(self, *, write: bool) -> Iterator[Cursor]: ...

    @abstractmethod
    def claim(self, owner: str, now: float, lease_until: float, limit: int) -> list[Delivery]:
        """Due deliveries of active endpoints that nobody holds, leased to `owner`."""

    @abstractmethod
    def close(self) -> None: ...

    # --- shared --------------------------------------------------------------------

    @property
    @abstractmethod
    def dialect(self) -> Dialect: ...

    def migrations(self) -> list[Migration]:
        """Version 1 is `_schema()` as it stood before versioning: never edit it, append."""
        return [Migration(1, tuple(self._schema()))]

    def create_tables(self) -> None:
        """Brings the tables to the latest schema version (see migrations/)."""
        with self._cursor(write=True) as cursor:
            migrate(cursor.raw, self.dialect, MIGRATIONS_COMPONENT, self.migrations())
            # Tracking must exist before the follower locks it.
            cursor.execute(
                "INSERT INTO webhook_tracking (name, position) VALUES (?, 0) "
                "ON CONFLICT (name) DO NOTHING",
                (TRACKING_NAME,),
            )

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._cursor(write=True) as cursor:
            yield Transaction(cursor, self.lock_tracking_sql)

    def position(self) -> int:
        with self._cursor(write=False) as cursor:
            rows = cursor.all(
                "SELECT position FROM webhook_tracking WHERE name = ?", (TRACKING_NAME,)
            )
        return int(rows[0][0]) if rows else 0

    def endpoints(self) -> dict[str, EndpointRow]:
        with self._cursor(write=False) as cursor:
            return Transaction(cursor, self.lock_tracking_sql).endpoints()

    def record(self, owner: str, results: Sequence[AttemptResult]) -> None:
        """Each attempt's outcome; ignored for a delivery whose lease another worker took
        over (it will send again: at least once)."""
        if not results:
            return
        with self._cursor(write=True) as cursor:
            cursor.executemany(
                "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, "
                "round_attempts = round_attempts + 1, last_status_code = ?, last_error = ?, "
                "next_attempt_at = ?, delivered_at = CASE WHEN ? = 'SUCCEEDED' THEN ? "
                "ELSE delivered_at END, lease_owner = NULL, lease_until = NULL "
                "WHERE id = ? AND lease_owner = ?",
                [
                    (
                        r.status.value,
                        r.status_code,
                        r.error,
                        r.next_attempt_at,
                        r.status.value,
                        r.at,
                        r.delivery_id,
                        owner,
                    )
                    for r in results
                ],
            )

    def release(self, owner: str, delivery_ids: Sequence[str]) -> None:
        """Gives back deliveries claimed but not attempted (the dispatcher is stopping)."""
        with self._cursor(write=True) as cursor:
            cursor.executemany(
                "UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL "
                "WHERE id = ? AND lease_owner = ?",
                [(i, owner) for i in delivery_ids],
            )

    def deactivate_endpoint(self, webhook_id: str) -> None:
        """Stops claiming at once for a 410; the follower will apply the event as well."""
        with self._cursor(write=True) as cursor:
            cursor.execute("UPDATE webhook_endpoints SET active = 0 WHERE id = ?", (webhook_id,))

    def deliveries(
        self, webhook_id: str, status: DeliveryStatus | None = None, first: int = 50
    ) -> list[Delivery]:
        """The most recent first."""
        sql = f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?"  # noqa: S608
        params: list[Any] = [webhook_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(status.value)
        sql += " ORDER BY position DESC, created_at DESC LIMIT ?"
        params.append(max(0, first))
        with self._cursor(write=False) as cursor:
            return [Delivery.from_row(r) for r in cursor.all(sql, params)]

    def delivery(self, delivery_id: str) -> Delivery | None:
        with self._cursor(write=False) as cursor:
            rows = cursor.all(
                f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?",  # noqa: S608
                (delivery_id,),
            )
        return Delivery.from_row(rows[0]) if rows else None

    def redeliver(self, delivery_id: str, now: float) -> bool:
        """A new round of attempts for one delivery, starting now."""
        with self._cursor(write=True) as cursor:
            cursor.execute(
                "UPDATE webhook_deliveries SET status = 'PENDING', round_attempts = 0, "
                "next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                (now, delivery_id),
            )
            rows = cursor.all("SELECT 1 FROM webhook_deliveries WHERE id = ?", (delivery_id,))
        return bool(rows)

    def prune(self, before: float) -> int:
        """Deletes finished deliveries (SUCCEEDED or FAILED) of events that occurred
        before an instant; pending ones are kept whatever their age."""
        with self._cursor(write=True) as cursor:
            result = cursor.execute(
                "DELETE FROM webhook_deliveries WHERE status <> 'PENDING' AND occurred_at < ?",
                (before,),
            )
            return int(result.rowcount)

    def backlog(self) -> int:
        """Deliveries still to send to active endpoints."""
        with self._cursor(write=False) as cursor:
            rows = cursor.all(
                "SELECT COUNT(*) FROM webhook_deliveries d JOIN webhook_endpoints e "
                "ON e.id = d.webhook_id WHERE d.status = 'PENDING' AND e.active = 1"
            )
        return int(rows[0][0])

    def counts(self) -> dict[str, int]:
        with self._cursor(write=False) as cursor:
            rows = cursor.all("SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows}


def open_store(storage: Storage) -> DeliveryStore:
    """The store for the configured database, its tables created if missing."""
    store: DeliveryStore
    if storage.kind == "postgres":
        from webhooks.store_postgres import PostgresDeliveryStore  # psycopg: optional extra

        store = PostgresDeliveryStore(storage)
    else:
        from webhooks.store_sqlite import SQLiteDeliveryStore

        if storage.sqlite_path is None or storage.sqlite_path == ":memory:":
            msg = "webhooks need a database file that several connections can share"
            raise ValueError(msg)
        use_wal(storage)
        store = SQLiteDeliveryStore(storage.sqlite_path)
    store.create_tables()
    return store
