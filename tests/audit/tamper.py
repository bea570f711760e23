"""Changes stored events (and snapshots) behind the application's back, with plain
SQL, as someone with access to the database could: one class per backend, the same
edits."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from storage.database import Storage


class Tamperer(Protocol):
    def state(self, aggregate_id: UUID, version: int, *, snapshot: bool = False) -> bytes: ...
    def set_state(
        self, aggregate_id: UUID, version: int, state: bytes, *, snapshot: bool = False
    ) -> None: ...
    def delete(self, aggregate_id: UUID, version: int) -> None: ...
    def swap_versions(self, aggregate_id: UUID, first: int, second: int) -> None: ...
    def delete_last_in_log(self) -> None: ...


class SQLiteTamperer:
    table = "stored_events"
    snapshots = "stored_snapshots"

    def __init__(self, path: str) -> None:
        self.path = path

    def execute(self, sql: str, *params: Any) -> list[Any]:
        import sqlite3

        with sqlite3.connect(self.path) as conn:
            return conn.execute(sql, params).fetchall()

    def state(self, aggregate_id: UUID, version: int, *, snapshot: bool = False) -> bytes:
        table = self.snapshots if snapshot else self.table
        rows = self.execute(
            f"SELECT state FROM {table} WHERE originator_id=? AND originator_version=?",
            aggregate_id.hex,
            version,
        )
        return bytes(rows[0][0])

    def set_state(
        self, aggregate_id: UUID, version: int, state: bytes, *, snapshot: bool = False
    ) -> None:
        table = self.snapshots if snapshot else self.table
        self.execute(
            f"UPDATE {table} SET state=? WHERE originator_id=? AND originator_version=?",
            state,
            aggregate_id.hex,
            version,
        )

    def delete(self, aggregate_id: UUID, version: int) -> None:
        self.execute(
            f"DELETE FROM {self.table} WHERE originator_id=? AND originator_version=?",
            aggregate_id.hex,
            version,
        )

    def swap_versions(self, aggregate_id: UUID, first: int, second: int) -> None:
        # Through a free version, since (originator_id, originator_version) is the key.
        for old, new in ((first, -1), (second, first), (-1, second)):
            self.execute(
                f"UPDATE {self.table} SET originator_version=? "
                "WHERE originator_id=? AND originator_version=?",
                new,
                aggregate_id.hex,
                old,
            )

    def delete_last_in_log(self) -> None:
        self.execute(f"DELETE FROM {self.table} WHERE rowid=(SELECT MAX(rowid) FROM {self.table})")


class PostgresTamperer:
    def __init__(self, url: str, schema: str) -> None:
        self.url = url
        self.table = f"{schema}.introductions_events"
        self.snapshots = f"{schema}.introductions_snapshots"

    def execute(self, sql: str, *params: Any) -> list[Any]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(sql.encode(), params)
            return cursor.fetchall() if cursor.description else []

    def state(self, aggregate_id: UUID, version: int, *, snapshot: bool = False) -> bytes:
        table = self.snapshots if snapshot else self.table
        rows = self.execute(
            f"SELECT state FROM {table} WHERE originator_id=%s AND originator_version=%s",
            aggregate_id,
            version,
        )
        return bytes(rows[0][0])

    def set_state(
        self, aggregate_id: UUID, version: int, state: bytes, *, snapshot: bool = False
    ) -> None:
        table = self.snapshots if snapshot else self.table
        self.execute(
            f"UPDATE {table} SET state=%s WHERE originator_id=%s AND originator_version=%s",
            state,
            aggregate_id,
            version,
        )

    def delete(self, aggregate_id: UUID, version: int) -> None:
        self.execute(
            f"DELETE FROM {self.table} WHERE originator_id=%s AND originator_version=%s",
            aggregate_id,
            version,
        )

    def swap_versions(self, aggregate_id: UUID, first: int, second: int) -> None:
        for old, new in ((first, -1), (second, first), (-1, second)):
            self.execute(
                f"UPDATE {self.table} SET originator_version=%s "
                "WHERE originator_id=%s AND originator_version=%s",
                new,
                aggregate_id,
                old,
            )

    def delete_last_in_log(self) -> None:
        self.execute(
            f"DELETE FROM {self.table} "
            f"WHERE notification_id=(SELECT MAX(notification_id) FROM {self.table})"
        )


def tamperer_for(storage: Storage, base_postgres_url: str) -> Tamperer:
    if storage.kind == "sqlite":
        assert storage.sqlite_path is not None
        return SQLiteTamperer(storage.sqlite_path)
    return PostgresTamperer(base_postgres_url, storage.env["POSTGRES_SCHEMA"])
