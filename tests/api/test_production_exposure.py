"""What production shows a caller without a token: no OpenAPI description or docs pages,
no metrics without the metrics token, and no log positions (health, /readyz)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import build_services, create_app
from storage.database import Storage
from tests.api.graphql_client import GraphQL

ADMIN = secrets.token_urlsafe(32)
METRICS = secrets.token_urlsafe(32)
Serve = Callable[..., TestClient]


@pytest.fixture
def serve(sqlite_storage: Storage, monkeypatch: pytest.MonkeyPatch) -> Iterator[Serve]:
    """The app in process, in the given mode, with these extra settings."""
    opened: list[TestClient] = []

    def start(env: str = "production", **settings: str) -> TestClient:
        monkeypatch.setenv("INTRODUCTIONS_ENV", env)
        monkeypatch.setenv("INTRODUCTIONS_ADMIN_TOKEN", ADMIN)
        monkeypatch.delenv("INTRODUCTIONS_METRICS_TOKEN", raising=False)
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        client = TestClient(create_app(build_services(sqlite_storage), run_projections=True))
        opened.append(client.__enter__())
        return client

    yield start
    for client in opened:
        client.__exit__(None, None, None)


def test_production_serves_no_openapi_description_and_no_docs_pages(serve: Serve) -> None:
    http = serve()
    for path in ("/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"):
        assert http.get(path).status_code == 404, path


def test_production_serves_metrics_only_with_the_metrics_token(serve: Serve) -> None:
    assert serve().get("/metrics").status_code == 404  # no metrics token set: not served
    http = serve(INTRODUCTIONS_METRICS_TOKEN=METRICS)
    for header in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {ADMIN}"}):
        refused = http.get("/metrics", headers=header)
        assert refused.status_code == 401, header
        assert refused.headers["www-authenticate"] == "Bearer"
        assert "introductions_" not in refused.text
    scraped = http.get("/metrics", headers={"Authorization": f"Bearer {METRICS}"})
    assert scraped.status_code == 200
    assert "introductions_http_requests_total" in scraped.text


def test_development_metrics_are_open_unless_a_metrics_token_is_set(serve: Serve) -> None:
    assert serve("development").get("/metrics").status_code == 200
    http = serve("development", INTRODUCTIONS_METRICS_TOKEN="dev")
    assert http.get("/metrics").status_code == 401
    assert http.get("/metrics", headers={"Authorization": "Bearer dev"}).status_code == 200


def test_production_shows_log_positions_only_to_callers_with_a_token(serve: Serve) -> None:
    http = serve()
    gql = GraphQL(http, ADMIN)
    token = gql.tokens[gql.register("Jim")]

    assert gql.result("{ health { ok storage } }", None)["data"] == {
        "health": {"ok": True, "storage": "sqlite"}
    }
    hidden = gql.result("{ health { ok lastPosition } }", None)
    assert hidden["data"] is None
    assert [e["extensions"]["code"] for e in hidden["errors"]] == ["UNAUTHENTICATED"]
    for caller in (ADMIN, token):
        shown = gql.result("{ health { lastPosition } }", caller)
        assert shown["data"]["health"]["lastPosition"] > 0, shown

    ready = http.get("/readyz").json()
    assert ready == {"ok": True, "storage": "reachable", "projections": "caught up"}
    for caller in (ADMIN, token):
        ready = http.get("/readyz", headers={"Authorization": f"Bearer {caller}"}).json()
        assert ready["position"] > 0
    unknown = http.get("/readyz", headers={"Authorization": "Bearer nobody"}).json()
    assert "position" not in unknown


def test_development_shows_log_positions_to_anyone(serve: Serve) -> None:
    http = serve("development")
    gql = GraphQL(http, ADMIN)
    gql.register("Jim")
    assert gql.result("{ health { lastPosition } }", None)["data"]["health"]["lastPosition"] > 0
    assert http.get("/readyz").json()["position"] > 0
