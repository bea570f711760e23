"""Fixtures of the application tests. `app` is the application on real storage: once on a
SQLite file and once on a PostgreSQL schema. To keep the suite fast, the tests of one
module share one database per backend (opening a fresh PostgreSQL schema costs more than
most tests); each test registers its own people, so tests never see each other's
introductions, and each gets its own FakeClock. Tests that need a database of their own
(reopening, racing processes) take the `storage` fixture instead."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from domain.application import IntroductionsApp
from storage.bootstrap import open_application
from storage.database import Storage, parse_database_url
from tests.application.journeys import People, register_people
from tests.conftest import NO_POSTGRES, POSTGRES_URL, FakeClock, _with_query


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def module_storage(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Storage]:
    if request.param == "sqlite":
        yield parse_database_url(f"sqlite:///{tmp_path_factory.mktemp('app')}/introductions.db")
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield parse_database_url(_with_query(POSTGRES_URL, schema=schema))
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="module")
def module_app(module_storage: Storage) -> Iterator[IntroductionsApp]:
    application = open_application(module_storage)
    try:
        yield application
    finally:
        application.close()


@pytest.fixture
def app(module_app: IntroductionsApp, clock: FakeClock) -> IntroductionsApp:
    module_app.clock = clock
    return module_app


@pytest.fixture
def people(app: IntroductionsApp) -> People:
    return register_people(app)
