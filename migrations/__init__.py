"""Versioned schema migrations for the tables this project owns beside eventsourcing's
(the projections' views and the webhook deliveries).

Each component (a view, the webhook store) lists its migrations in order; version 1 is
the schema as it stood before versioning, written with IF NOT EXISTS throughout, so a
database created then adopts it as it is. Applied versions are recorded in
`schema_migrations` (component, version). `migrate` runs inside the caller's write
transaction, so a migration and its record commit together or not at all, and it is
serialised between processes: on SQLite by the caller's BEGIN IMMEDIATE (the write lock),
on PostgreSQL by a transaction-scoped advisory lock per schema. Not alembic, which would
bring a migration environment and a version table of its own for these few statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.errors import ConfigurationError
from storage.dialect import Dialect

# ruff: noqa: S608 - only this module's table name is formatted in.

TABLE = "schema_migrations"


@dataclass(frozen=True)
class Migration:
    version: int
    statements: tuple[str, ...]  # SQL ready to run on the dialect at hand


def migrate(
    cur: Any, dialect: Dialect, component: str, migrations: Sequence[Migration]
) -> list[int]:
    """Applies the component's migrations not yet recorded, in order, with the caller's
    DB-API cursor (inside its write transaction); returns the versions applied."""
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        msg = f"{component}: migrations must be numbered 1, 2, 3… in order, not {versions}"
        raise ValueError(msg)
    _begin(cur, dialect)
    applied = applied_versions(cur, dialect, component)
    if applied and max(applied) > len(migrations):
        msg = (
            f"the database's {component} tables are at schema version {max(applied)}, newer "
            f"than this program knows ({len(migrations)}): run a newer version of introductions"
        )
        raise ConfigurationError(msg)
    done = []
    for migration in migrations:
        if migration.version in applied:
            continue
        for statement in migration.statements:
            cur.execute(statement)
        cur.execute(
            dialect.sql(
                f"INSERT INTO {{s}}{TABLE} (component, version, applied_at) VALUES (?, ?, ?)"
            ),
            (component, migration.version, datetime.now(UTC).isoformat()),
        )
        done.append(migration.version)
    return done


def applied_versions(cur: Any, dialect: Dialect, component: str) -> set[int]:
    cur.execute(dialect.sql(f"SELECT version FROM {{s}}{TABLE} WHERE component = ?"), (component,))
    return {int(row[0]) for row in cur.fetchall()}


def forget(cur: Any, dialect: Dialect, component: str) -> None:
    """Drops the component's record, for a caller that has just dropped its tables."""
    _begin(cur, dialect)
    cur.execute(dialect.sql(f"DELETE FROM {{s}}{TABLE} WHERE component = ?"), (component,))


def _begin(cur: Any, dialect: Dialect) -> None:
    """Takes the migrations lock (PostgreSQL) and makes sure the table exists."""
    if dialect.lock_key is not None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (dialect.lock_key,))
    cur.execute(
        dialect.sql(
            f"CREATE TABLE IF NOT EXISTS {{s}}{TABLE} (component TEXT NOT NULL, version INTEGER "
            "NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, version))"
        )
    )
