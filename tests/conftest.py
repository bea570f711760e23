"""Storage fixtures shared by every layer's tests: a real SQLite file, and a real
PostgreSQL schema (in the database named by INTRODUCTIONS_TEST_POSTGRES_URL) that is
created for one test and dropped after it.

Plain `pytest` runs the fast set: every test but those marked `postgres`, `processes`,
`slow` or `reliability`. `pytest --all` runs them all (what CI does); `-m EXPRESSION`
chooses by marker instead."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.database import Storage, parse_database_url

POSTGRES_URL_VARIABLE = "INTRODUCTIONS_TEST_POSTGRES_URL"
POSTGRES_URL = os.environ.get(POSTGRES_URL_VARIABLE, "")
NO_POSTGRES = f"{POSTGRES_URL_VARIABLE} is not set: no PostgreSQL server to test against"
# CI sets this so that a PostgreSQL test fails rather than skips.
REQUIRE_POSTGRES = os.environ.get("INTRODUCTIONS_TEST_REQUIRE_POSTGRES") == "1"
FULL_SET_ONLY = ("postgres", "processes", "slow", "reliability")
# Each of their tests starts the service (and the web app's, a browser).
STARTS_PROCESSES = (Path(__file__).parent / "e2e", Path(__file__).parent / "web_app")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--all",
        action="store_true",
        help=f"run every test, also those marked {', '.join(FULL_SET_ONLY)}",
    )


def _runs_everything(config: pytest.Config) -> bool:
    return bool(config.getoption("--all") or config.option.markexpr)


def pytest_report_header(config: pytest.Config) -> str:
    if _runs_everything(config):
        return "every test selected (or chosen by -m)"
    return f"the fast set: not {', '.join(FULL_SET_ONLY)} (pytest --all runs every test)"


@pytest.hookimpl(trylast=True)  # after the conftests that add markers by folder
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
        if any(folder in Path(item.fspath).parents for folder in STARTS_PROCESSES):
            item.add_marker(pytest.mark.processes)
    if _runs_everything(config):
        return
    if REQUIRE_POSTGRES:
        raise pytest.UsageError("INTRODUCTIONS_TEST_REQUIRE_POSTGRES=1 needs pytest --all")
    fast, rest = [], []
    for item in items:
        (rest if any(item.get_closest_marker(m) for m in FULL_SET_ONLY) else fast).append(item)
    config.hook.pytest_deselected(items=rest)
    items[:] = fast


def skip_without_postgres() -> None:
    if POSTGRES_URL:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(NO_POSTGRES)
    pytest.skip(NO_POSTGRES)


def missing_tool(message: str) -> None:
    """A tool a test needs (a browser, node) is absent: skip here, fail in CI (CI=true),
    whose .ci/run installs it."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class FakeClock:
    """An injectable clock that only moves when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 25, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sqlite_storage(tmp_path: Path) -> Storage:
    return parse_database_url(f"sqlite:///{tmp_path / 'introductions.db'}")


def _with_query(url: str, **params: str) -> str:
    joiner = "&" if "?" in url else "?"
    return url + joiner + "&".join(f"{k}={v}" for k, v in params.items())


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose tables live in a fresh schema, dropped after the test."""
    skip_without_postgres()
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield _with_query(POSTGRES_URL, schema=schema)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def postgres_storage(postgres_url: str) -> Storage:
    return parse_database_url(postgres_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest) -> Storage:
    """The same test, once on a real SQLite file and once on real PostgreSQL."""
    name = "sqlite_storage" if request.param == "sqlite" else "postgres_storage"
    return request.getfixturevalue(name)
