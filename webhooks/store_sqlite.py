"""Deliveries in the SQLite file that holds the events. Writes take the database's write
lock up front (BEGIN IMMEDIATE), so two writers wait for each other instead of failing
half-way with SQLITE_BUSY on upgrade from a read lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from storage.dialect import Dialect
from webhooks.records import DELIVERY_COLUMNS, Delivery
from webhooks.store import Cursor, DeliveryStore

BUSY_TIMEOUT_SECONDS = 30.0

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS webhook_tracking (name TEXT PRIMARY KEY, position INTEGER)",
    "CREATE TABLE IF NOT EXISTS webhook_endpoints (id TEXT PRIMARY KEY, url TEXT NOT NULL, "
    "event_types TEXT NOT NULL, active INTEGER NOT NULL, secret TEXT NOT NULL, "
    "old_secret TEXT, old_secret_valid_until REAL, registered_position INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS webhook_deliveries (id TEXT PRIMARY KEY, "
    "webhook_id TEXT NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL, "
    "position INTEGER NOT NULL, occurred_at REAL NOT NULL, body TEXT NOT NULL, "
    "status TEXT NOT NULL, attempts INTEGER NOT NULL, round_attempts INTEGER NOT NULL, "
    "last_status_code INTEGER, last_error TEXT, next_attempt_at REAL, delivered_at REAL, "
    "created_at REAL NOT NULL, lease_owner TEXT, lease_until REAL)",
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_due "
    "ON webhook_deliveries (status, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_by_webhook "
    "ON webhook_deliveries (webhook_id, position)",
]


class SQLiteDeliveryStore(DeliveryStore):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self._connection = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,  # we issue BEGIN ourselves
            check_same_thread=False,  # guarded by self._lock
        )
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute("PRAGMA secure_delete=ON")  # erased bodies leave no bytes

    def _schema(self) -> list[str]:
        return SCHEMA

    dialect = Dialect.sqlite()

    @contextmanager
    def _cursor(self, *, write: bool) -> Iterator[Cursor]:
        with self._lock:
            raw = self._connection.cursor()
            raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Cursor(raw, self.dialect)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

    def claim(self, owner: str, now: float, lease_until: float, limit: int) -> list[Delivery]:
        columns = ", ".join(f"d.{c.strip()}" for c in DELIVERY_COLUMNS.split(","))
        with self._cursor(write=True) as cursor:
            rows = cursor.all(
                f"SELECT {columns} FROM webhook_deliveries d "  # noqa: S608
                "JOIN webhook_endpoints e ON e.id = d.webhook_id "
                "WHERE d.status = 'PENDING' AND d.next_attempt_at <= ? AND e.active = 1 "
                "AND (d.lease_until IS NULL OR d.lease_until < ?) "
                "ORDER BY d.next_attempt_at LIMIT ?",
                (now, now, limit),
            )
            cursor.executemany(
                "UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ? WHERE id = ?",
                [(owner, lease_until, r[0]) for r in rows],
            )
        return [Delivery.from_row(r) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._connection.close()
