"""Deliveries in the PostgreSQL schema that holds the events. Several workers may run:
claiming uses FOR UPDATE SKIP LOCKED plus a lease, so no two send one delivery at once;
the follower locks its tracking row, so only one records each batch."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from storage.database import Storage
from storage.dialect import Dialect
from webhooks.records import DELIVERY_COLUMNS, Delivery
from webhooks.store import Cursor, DeliveryStore

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS webhook_tracking (name TEXT PRIMARY KEY, position BIGINT)",
    "CREATE TABLE IF NOT EXISTS webhook_endpoints (id TEXT PRIMARY KEY, url TEXT NOT NULL, "
    "event_types TEXT NOT NULL, active INTEGER NOT NULL, secret TEXT NOT NULL, "
    "old_secret TEXT, old_secret_valid_until DOUBLE PRECISION, "
    "registered_position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS webhook_deliveries (id TEXT PRIMARY KEY, "
    "webhook_id TEXT NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL, "
    "position BIGINT NOT NULL, occurred_at DOUBLE PRECISION NOT NULL, body TEXT NOT NULL, "
    "status TEXT NOT NULL, attempts INTEGER NOT NULL, round_attempts INTEGER NOT NULL, "
    "last_status_code INTEGER, last_error TEXT, next_attempt_at DOUBLE PRECISION, "
    "delivered_at DOUBLE PRECISION, created_at DOUBLE PRECISION NOT NULL, "
    "lease_owner TEXT, lease_until DOUBLE PRECISION)",
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_due "
    "ON webhook_deliveries (status, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_by_webhook "
    "ON webhook_deliveries (webhook_id, position)",
]

_CLAIMED_COLUMNS = ", ".join(f"d.{c.strip()}" for c in DELIVERY_COLUMNS.split(","))
CLAIM_SQL = (  # only our own column names are formatted in
    "WITH due AS (SELECT d.id FROM webhook_deliveries d "  # noqa: S608
    "JOIN webhook_endpoints e ON e.id = d.webhook_id "
    "WHERE d.status = 'PENDING' AND d.next_attempt_at <= ? AND e.active = 1 "
    "AND (d.lease_until IS NULL OR d.lease_until < ?) "
    "ORDER BY d.next_attempt_at LIMIT ? FOR UPDATE OF d SKIP LOCKED) "
    "UPDATE webhook_deliveries d SET lease_owner = ?, lease_until = ? "
    f"FROM due WHERE d.id = due.id RETURNING {_CLAIMED_COLUMNS}"
)


def connection_arguments(storage: Storage) -> dict[str, Any]:
    env = storage.env
    schema = env.get("POSTGRES_SCHEMA") or "public"
    return {
        "host": env["POSTGRES_HOST"],
        "port": int(env["POSTGRES_PORT"]),
        "dbname": env["POSTGRES_DBNAME"],
        "user": env["POSTGRES_USER"],
        "password": env.get("POSTGRES_PASSWORD", ""),
        "connect_timeout": int(env.get("POSTGRES_CONNECT_TIMEOUT", "5")),
        # Our tables live beside the events, in the schema eventsourcing uses.
        "options": f"-c search_path={schema}",
        "autocommit": True,
    }


class PostgresDeliveryStore(DeliveryStore):
    lock_tracking_sql = "SELECT position FROM webhook_tracking WHERE name = ? FOR UPDATE"

    def __init__(self, storage: Storage) -> None:
        super().__init__()
        self._arguments = connection_arguments(storage)
        self._schema_name = storage.env.get("POSTGRES_SCHEMA") or "public"
        self._connection: psycopg.Connection[Any] | None = None

    def _schema(self) -> list[str]:
        return SCHEMA

    @functools.cached_property
    def dialect(self) -> Dialect:
        # The connection's search_path names the schema.
        return Dialect.postgres(self._schema_name, qualify=False)

    def _connect(self) -> psycopg.Connection[Any]:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(**self._arguments)
        return self._connection

    @contextmanager
    def _cursor(self, *, write: bool) -> Iterator[Cursor]:
        with self._lock:
            connection = self._connect()
            try:
                with connection.transaction(), connection.cursor() as raw:
                    yield Cursor(raw, self.dialect)
            except psycopg.OperationalError:
                connection.close()  # reconnect on next use
                raise

    def claim(self, owner: str, now: float, lease_until: float, limit: int) -> list[Delivery]:
        with self._cursor(write=True) as cursor:
            rows = cursor.all(
                CLAIM_SQL,
                (now, now, limit, owner, lease_until),
            )
        return [Delivery.from_row(r) for r in rows]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
