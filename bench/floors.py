"""Baselines for the in-process commands, on the same storage:

- the library floor: a bare eventsourcing Application with one aggregate equivalent to
  an introduction (the same events and fields; no rules, no pair index, no chain hash,
  no projections);
- raw storage: the same number of rows inserted with the database driver itself (sqlite3
  or psycopg), one row per transaction as one command is one transaction."""

from __future__ import annotations

import sqlite3
import time
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.storages import postgres_schema
from storage.database import Storage


class BareIntroduction(Aggregate):
    @event("Proposed")
    def __init__(self, introducer_id: str, requester_id: str, target_id: str, context: str):
        self.introducer_id = introducer_id
        self.requester_id = requester_id
        self.target_id = target_id
        self.context = context
        self.consented_by: list[str] = []
        self.replies = 0
        self.note: str | None = None

    @event("ConsentGiven")
    def consent(self, actor_id: str) -> None:
        self.consented_by.append(actor_id)

    @event("ReplyRecorded")
    def record_reply(self, actor_id: str, message: str | None) -> None:
        self.replies += 1

    @event("RelationshipFormed")
    def record_relationship_formed(self, actor_id: str, note: str | None) -> None:
        self.note = note


class LibraryFloor(Application[UUID]):
    name = "LibraryFloor"  # its own tables, beside the service's

    def propose(self, introducer_id: str, requester_id: str, target_id: str) -> UUID:
        introduction = BareIntroduction(introducer_id, requester_id, target_id, "bench")
        self.save(introduction)
        return introduction.id

    def change(self, introduction_id: UUID, method: str, *args: object) -> None:
        introduction: BareIntroduction = self.repository.get(introduction_id)
        getattr(introduction, method)(*args)
        self.save(introduction)


def library_floor_lives(storage: Storage, lives: int) -> float:
    """Seconds for `lives` introductions' five commands each through LibraryFloor."""
    app = LibraryFloor(env=storage.env)
    introducer, requester = str(uuid4()), str(uuid4())
    try:
        started = time.perf_counter()
        for _ in range(lives):
            target = str(uuid4())
            iid = app.propose(introducer, requester, target)
            app.change(iid, "consent", requester)
            app.change(iid, "consent", target)
            app.change(iid, "record_reply", requester, "Hello!")
            app.change(iid, "record_relationship_formed", introducer, "Working together.")
        return time.perf_counter() - started
    finally:
        app.close()


def raw_inserts(storage: Storage, rows: list[tuple[UUID, int, str, bytes]]) -> float:
    """Seconds to insert `rows` (originator id, version, topic, state) one per
    transaction into a table shaped like the library's, with the driver alone."""
    if storage.kind == "sqlite":
        return _raw_sqlite(storage, rows)
    return _raw_postgres(storage, rows)


def _raw_sqlite(storage: Storage, rows: list[tuple[UUID, int, str, bytes]]) -> float:
    assert storage.sqlite_path
    path = storage.sqlite_path.removesuffix(".db") + "-raw.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")  # as the library's recorder sets it
    conn.execute(
        "CREATE TABLE IF NOT EXISTS raw_events (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
        "UNIQUE (originator_id, originator_version))"
    )
    started = time.perf_counter()
    for originator_id, version, topic, state in rows:
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO raw_events (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            (originator_id.hex, version, topic, state),
        )
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def _raw_postgres(storage: Storage, rows: list[tuple[UUID, int, str, bytes]]) -> float:
    import psycopg

    env = storage.env
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        dbname=env["POSTGRES_DBNAME"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        autocommit=True,
    ) as conn:
        table = f"{postgres_schema(storage)}.raw_events"
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (id BIGSERIAL PRIMARY KEY, originator_id UUID, "
            "originator_version INTEGER, topic TEXT, state BYTEA, "
            "UNIQUE (originator_id, originator_version))"
        )
        started = time.perf_counter()
        for row in rows:
            with conn.transaction():
                conn.execute(
                    f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                    "VALUES (%s, %s, %s, %s)",
                    row,
                )
        return time.perf_counter() - started
