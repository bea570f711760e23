"""Fixtures of the application tests: the app opened on real storage (each test runs on
SQLite and on PostgreSQL through the `storage` fixture), and registered people."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.application import IntroductionsApp
from domain.bootstrap import open_application
from domain.storage import Storage
from tests.application.journeys import People, register_people
from tests.conftest import FakeClock


@pytest.fixture
def app(storage: Storage, clock: FakeClock) -> Iterator[IntroductionsApp]:
    application = open_application(storage, clock=clock)
    try:
        yield application
    finally:
        application.close()


@pytest.fixture
def people(app: IntroductionsApp) -> People:
    return register_people(app)
