"""The API in process (Starlette's TestClient runs its lifespan and websockets), on a real
SQLite file and on a real PostgreSQL schema, with the projections running beside it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import build_services, create_app
from api.services import Services
from storage.database import Storage
from tests.api.graphql_client import GraphQL

ADMIN_TOKEN = "test-admin-token-" + "x" * 32


@pytest.fixture
def services(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> Services:
    monkeypatch.setenv("INTRODUCTIONS_ADMIN_TOKEN", ADMIN_TOKEN)
    return build_services(storage)  # closed by the app's lifespan


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    app = create_app(services, run_projections=True)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def gql(client: TestClient) -> GraphQL:
    return GraphQL(client, ADMIN_TOKEN)


def wait_for_subscriptions(services: Services, count: int, timeout: float = 10.0) -> None:
    """A subscribe message is handled after the client sent it: an event written before
    the subscription follows the log would never reach it. Tests wait for it here."""
    deadline = time.monotonic() + timeout
    while services.feed.following() < count:
        assert time.monotonic() < deadline, f"{count} subscriptions never started"
        time.sleep(0.01)
