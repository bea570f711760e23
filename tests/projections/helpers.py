"""Shared by the projection tests: catching views up in this thread, fresh storages for
property tests, and a dump of every view table for row-by-row comparison."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.application import IntroductionsApp
from projections import leaderboard
from projections.read_models import ReadModels
from projections.rebuild import catch_up
from storage.database import Storage, parse_database_url
from tests.conftest import POSTGRES_URL


def project(app: IntroductionsApp, read_models: ReadModels) -> None:
    """Brings every view up to the end of the log, in this thread."""
    catch_up(app, read_models.views)


def dump(read_models: ReadModels, ranked_at: datetime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table (tracking included), sorted. Ranking keys are first
    recomputed at `ranked_at`, since they are a cache refreshed by the clock, not by the log."""
    views = read_models.views
    leaderboard.refresh(views.reputation, ranked_at)
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for view in views.by_name.values():
        with view.read() as cur:
            for table in (*view.tables, view.tracking_table):
                cur.execute(view.sql(f"SELECT * FROM {{s}}{table}"))
                tables[table] = sorted(tuple(row) for row in cur.fetchall())
    return tables


@contextlib.contextmanager
def fresh_storage(kind: str) -> Iterator[Storage]:
    """A new empty database for one example of a property test."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield parse_database_url(f"sqlite:///{Path(tmp) / 'introductions.db'}")
        return
    import psycopg

    schema = f"p_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        joiner = "&" if "?" in POSTGRES_URL else "?"
        yield parse_database_url(f"{POSTGRES_URL}{joiner}schema={schema}")
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
