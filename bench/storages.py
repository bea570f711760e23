"""Fresh storage for one measurement: a SQLite file in a folder, or a PostgreSQL schema
of its own that is dropped afterwards."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storage.database import Storage, parse_database_url

CONNECT_ATTEMPTS = 30
LABELS = {"sqlite": "SQLite file", "postgres": "PostgreSQL"}


def sqlite(folder: Path, name: str) -> Storage:
    path = folder / f"{name}.db"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return parse_database_url(f"sqlite:///{path}")


@contextmanager
def postgres(base_url: str, name: str) -> Iterator[Storage]:
    """A schema named after the measurement and this process, dropped afterwards."""
    schema = f"bench_{name}_{os.getpid()}"
    database = base_url.split("?", 1)[0]
    with _connect(database) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield parse_database_url(f"{database}?schema={schema}")
    finally:
        with _connect(database) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _connect(database: str) -> Any:
    """A connection, waiting up to a minute while a shared server has no free slot
    ("too many clients"): other jobs' tests come and go."""
    import psycopg

    for _ in range(CONNECT_ATTEMPTS - 1):
        try:
            return psycopg.connect(database, autocommit=True)
        except psycopg.OperationalError:
            time.sleep(2)
    return psycopg.connect(database, autocommit=True)


@contextmanager
def fresh(kind: str, folder: Path, base_url: str | None, name: str) -> Iterator[Storage]:
    if kind == "sqlite":
        yield sqlite(folder, name)
    else:
        assert base_url, "PostgreSQL needs --postgres-url"
        with postgres(base_url, name) as storage:
            yield storage


def postgres_schema(storage: Storage) -> str:
    return storage.env.get("POSTGRES_SCHEMA", "public")
