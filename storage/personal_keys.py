"""The keys of personal data (domain/personal.py): AES-256-GCM keys in their own tables,
never in events, written and destroyed in the transaction of the event that makes or
forgets them.

Tables (beside the library's events table, in the same database and schema):
  personal_keys(key_id, secret)          one key per person and per introduction
  personal_key_holders(person, key_id)   whose forgetting destroys the key
  forgotten_people(person)               no new key is ever held by them

The recorders (storage.sqlite, storage.postgres) call `record_keys` inside their insert
transaction, after the events are written (on PostgreSQL under the library's table lock),
so a new key and a forgetting are ordered like the events: a key made for an aggregate
whose holder is already forgotten is not stored, and its text is erased at birth."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import closing
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.person import Person
from domain.personal import Sealed

FORGOTTEN_TOPIC = get_topic(Person.PersonForgotten)
NONCE_BYTES = 12
PENDING_MAX = 10_000  # new keys kept for their first event's save (and its retries)
# A key read from the table is trusted this long in a process other than the forgetting
# one (the forgetting process drops it at once): the longest another process may still
# open an erased field.
KEY_CACHE_SECONDS = 1.0

TABLES = (
    "CREATE TABLE IF NOT EXISTS {s}personal_keys (key_id TEXT PRIMARY KEY, secret {blob} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}personal_key_holders (person TEXT NOT NULL, "
    "key_id TEXT NOT NULL, PRIMARY KEY (person, key_id))",
    "CREATE TABLE IF NOT EXISTS {s}forgotten_people (person TEXT PRIMARY KEY)",
)


def create_statements(schema_prefix: str, blob: str) -> list[str]:
    return [t.format(s=schema_prefix, blob=blob) for t in TABLES]


class KeyTables:
    """The SQL of the key tables for one backend: `mark` is its parameter marker."""

    def __init__(self, schema_prefix: str, mark: str, on_forget: Callable[[Any], None]) -> None:
        s, m = schema_prefix, mark
        self.on_forget = on_forget  # SQLite: turns secure_delete on for the connection
        self.select = f"SELECT secret FROM {s}personal_keys WHERE key_id = {m}"  # noqa: S608
        self.forget = (
            f"DELETE FROM {s}personal_keys WHERE key_id IN "  # noqa: S608
            f"(SELECT key_id FROM {s}personal_key_holders WHERE person = {m})",
            f"DELETE FROM {s}personal_key_holders WHERE key_id IN "  # noqa: S608
            f"(SELECT key_id FROM {s}personal_key_holders WHERE person = {m})",
            f"INSERT INTO {s}forgotten_people (person) VALUES ({m}) ON CONFLICT DO NOTHING",  # noqa: S608
        )
        self.s, self.m = s, m

    def insert_key(self, holders: int) -> tuple[str, str]:
        s, m = self.s, self.m
        marks = ", ".join([m] * holders)
        key = (
            f"INSERT INTO {s}personal_keys (key_id, secret) SELECT {m}, {m} "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {s}forgotten_people WHERE person IN ({marks}))"
        )
        holder = (
            f"INSERT INTO {s}personal_key_holders (person, key_id) SELECT {m}, key_id "  # noqa: S608
            f"FROM {s}personal_keys WHERE key_id = {m} ON CONFLICT DO NOTHING"
        )
        return key, holder


def record_keys(
    cursor: Any, tables: KeyTables, keyring: AesGcmKeyring | None, events: Sequence[StoredEvent]
) -> None:
    """Inside the events' insert transaction: store the keys made for new aggregates,
    and destroy the keys of the people forgotten by these events."""
    for stored in events:
        aggregate_id = _id_text(stored.originator_id)
        if stored.originator_version == 1 and keyring is not None:
            pending = keyring.take_pending(aggregate_id)
            if pending is not None:
                secret, holders = pending
                key_sql, holder_sql = tables.insert_key(len(holders))
                cursor.execute(key_sql, (aggregate_id, secret, *holders))
                for person in holders:
                    cursor.execute(holder_sql, (person, aggregate_id))
        if stored.topic == FORGOTTEN_TOPIC:
            tables.on_forget(cursor)
            for statement in tables.forget:
                cursor.execute(statement, (aggregate_id,))


class AesGcmKeyring:
    """domain.personal.Keyring over the key tables: AES-256-GCM, a fresh random nonce
    per value, the key id as associated data (a value moved under another key fails)."""

    def __init__(self, read_secret: Callable[[str], bytes | None]) -> None:
        self._read_secret = read_secret
        self._lock = threading.Lock()
        self._pending: OrderedDict[str, tuple[bytes, tuple[str, ...]]] = OrderedDict()
        self._cache: dict[str, tuple[AESGCM, float]] = {}

    def seal(self, key_id: str, value: Any, holders: Sequence[str] | None = None) -> Sealed:
        if holders is not None:
            secret = AESGCM.generate_key(bit_length=256)
            with self._lock:
                self._pending[key_id] = (secret, tuple(_id_text(h) for h in holders))
                while len(self._pending) > PENDING_MAX:
                    self._pending.popitem(last=False)
            aead: AESGCM | None = AESGCM(secret)
        else:
            # A key not yet committed seals the other fields of its first event; opening
            # asks only the table, which decides whether the key was kept.
            with self._lock:
                pending = self._pending.get(key_id)
            aead = AESGCM(pending[0]) if pending is not None else self._key(key_id)
        if aead is None:  # the key is gone: the value is sealed under a key nobody keeps
            aead = AESGCM(AESGCM.generate_key(bit_length=256))
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        token = base64.b64encode(nonce + aead.encrypt(nonce, plain, key_id.encode())).decode()
        return Sealed(key_id, token, self.open)

    def open(self, sealed: Sealed) -> Any:
        aead = self._key(sealed.key_id)
        if aead is None:
            return None
        try:
            raw = base64.b64decode(sealed.token)
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], sealed.key_id.encode())
        except (InvalidTag, ValueError):
            return None  # not under this key (erased at birth) or damaged: verify says which
        return json.loads(plain)

    def take_pending(self, key_id: str) -> tuple[bytes, tuple[str, ...]] | None:
        # Kept, not popped: a group commit that fails is retried save by save, and the
        # retry must store the key too (the first event of an aggregate commits once).
        with self._lock:
            return self._pending.get(key_id)

    def forgotten(self, person_id: str) -> None:
        """After a forgetting in this process: no cached key, and no pending key the
        person holds (the table has none of them any more)."""
        person = _id_text(person_id)
        with self._lock:
            self._cache.clear()
            held = [k for k, (_, holders) in self._pending.items() if person in holders]
            for key_id in held:
                del self._pending[key_id]

    def _key(self, key_id: str) -> AESGCM | None:
        cached = self._cache.get(key_id)
        now = time.monotonic()
        if cached is not None and now - cached[1] < KEY_CACHE_SECONDS:
            return cached[0]
        secret = self._read_secret(key_id)
        if secret is None:
            return None  # not remembered: a key may yet commit, and erased fields are rare
        aead = AESGCM(bytes(secret))
        self._cache[key_id] = (aead, now)
        return aead


def _id_text(raw: UUID | str) -> str:
    try:
        return str(raw if isinstance(raw, UUID) else UUID(str(raw)))
    except ValueError:
        return str(raw)


def scrub_after_forgetting(app: Any) -> bool:
    """On SQLite, moves the write-ahead log into the database file and empties it, so that
    no page as it stood before a forgetting (a key, a name in a view row) stays in the
    log; secure_delete has zeroed what the forgetting deleted. True when the log was
    emptied (a reader in the middle of a long read can hold it back: run it again)."""
    return empty_wal(getattr(getattr(app.recorder.datastore, "pool", None), "db_name", None))


def empty_wal(path: object) -> bool:
    """`wal_checkpoint(TRUNCATE)` on an SQLite file (True for anything else)."""
    if not isinstance(path, str) or path == ":memory:" or "mode=memory" in path:
        return True
    with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as c:
        busy, _, _ = c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy


def read_key_tables(recorder: Any) -> dict[str, list[list[Any]]]:
    """Every row of the three key tables (for an export)."""
    tables = recorder.key_tables
    found: dict[str, list[list[Any]]] = {}
    with recorder.datastore.transaction(commit=False) as cursor:
        for table, columns in KEY_TABLE_COLUMNS.items():
            cursor.execute(f"SELECT {columns} FROM {tables.s}{table} ORDER BY 1")  # noqa: S608
            found[table] = [
                list(row.values()) if isinstance(row, dict) else list(row)
                for row in cursor.fetchall()
            ]
    return found


def write_key_tables(cursor: Any, mark: str, rows: dict[str, list[list[Any]]]) -> None:
    """Inserts the rows of an export into the (empty) key tables, with the caller's cursor."""
    for table, columns in KEY_TABLE_COLUMNS.items():
        if rows.get(table):
            marks = ", ".join([mark] * len(columns.split(",")))
            statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(statement, [tuple(r) for r in rows[table]])


KEY_TABLE_COLUMNS = {
    "personal_keys": "key_id, secret",
    "personal_key_holders": "person, key_id",
    "forgotten_people": "person",
}
