"""Fresh storage for one measurement: a SQLite file in a folder, or a PostgreSQL schema
of its own that is dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from domain.storage import Storage, parse_database_url

LABELS = {"sqlite": "SQLite file", "postgres": "PostgreSQL"}


def sqlite(folder: Path, name: str) -> Storage:
    path = folder / f"{name}.db"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return parse_database_url(f"sqlite:///{path}")


@contextmanager
def postgres(base_url: str, name: str) -> Iterator[Storage]:
    """A schema named after the measurement and this process, dropped afterwards."""
    import psycopg

    schema = f"bench_{name}_{os.getpid()}"
    database = base_url.split("?", 1)[0]
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield parse_database_url(f"{database}?schema={schema}")
    finally:
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


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
