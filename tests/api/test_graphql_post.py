"""POST /graphql's direct path (api/graphql_post.py) answers every request as the router
it stands in front of does: the same status, body and headers, for well-formed
operations and for everything it hands to the router."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.graphql_post import GraphQLPostFastPath
from api.services import Services
from tests.api.conftest import ADMIN_TOKEN

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
JSON = {"content-type": "application/json"}
# Differ from answer to answer whatever answers them.
VARYING = {"date", "x-request-id"}


def _op(query: str, **fields: object) -> bytes:
    return json.dumps({"query": query, **fields}).encode()


CASES = {
    "health, no token": (_op("{ health { ok } }"), JSON),
    "a query that needs a token, without one": (_op("{ leaderboard(first: 3) { score } }"), JSON),
    "a query": (_op("{ leaderboard(first: 3) { score introducer { id } } }"), {**JSON, **AUTH}),
    "charset in the content type": (
        _op("{ health { ok } }"),
        {"content-type": "application/json; charset=utf-8", **AUTH},
    ),
    "the content type in capitals": (
        _op("{ health { ok } }"),
        {"content-type": "Application/JSON", **AUTH},
    ),
    "variables": (
        _op("query($n: Int!) { leaderboard(first: $n) { score } }", variables={"n": 2}),
        {**JSON, **AUTH},
    ),
    "a variable of the wrong type": (
        _op("query($n: Int!) { leaderboard(first: $n) { score } }", variables={"n": "two"}),
        {**JSON, **AUTH},
    ),
    "a mutation refused as data": (
        _op(
            'mutation($id: ID!) { recordReply(id: $id, message: "hi") '
            "{ introduction { id } errors { code field } } }",
            variables={"id": str(uuid.uuid4())},
        ),
        {**JSON, **AUTH},
    ),
    "an unknown field": (_op("{ nope }"), {**JSON, **AUTH}),
    "a syntax error": (_op("{"), {**JSON, **AUTH}),
    "too deep": (_op("{ a " + "{ b " * 12 + "}" * 13), {**JSON, **AUTH}),
    "the operation named": (
        _op("query A { health { ok } } query B { __typename }", operationName="B"),
        {**JSON, **AUTH},
    ),
    "two operations, none named": (
        _op("query A { health { ok } } query B { __typename }"),
        {**JSON, **AUTH},
    ),
    "an unknown operation name": (
        _op("query A { health { ok } }", operationName="Z"),
        {**JSON, **AUTH},
    ),
    "a subscription by POST": (
        _op("subscription { introductionEvents { id } }"),
        {**JSON, **AUTH},
    ),
    "a query of null": (b'{"query": null}', {**JSON, **AUTH}),
    "no query": (b'{"variables": {}}', {**JSON, **AUTH}),
    "variables not an object": (
        _op("{ health { ok } }", variables="nope"),
        {**JSON, **AUTH},
    ),
    "an operation name not a string": (
        _op("{ health { ok } }", operationName=3),
        {**JSON, **AUTH},
    ),
    "a batch": (b"[" + _op("{ health { ok } }") + b"]", {**JSON, **AUTH}),
    "a string": (b'"{ health { ok } }"', {**JSON, **AUTH}),
    "not JSON": (b"{not json", {**JSON, **AUTH}),
    "not UTF-8": (b"\xff\xfe\x00garbage", {**JSON, **AUTH}),
    "an empty body": (b"", {**JSON, **AUTH}),
    "another content type": (b"{}", {"content-type": "text/plain", **AUTH}),
}


@pytest.fixture
def both(services: Services) -> Iterator[tuple[TestClient, TestClient]]:
    """The service, and the same service (the same running lifespan) answering through
    its router alone."""
    app = create_app(services, run_projections=True)
    with TestClient(app) as served:
        yield served, TestClient(_without_fast_path(app))


def _without_fast_path(app: FastAPI) -> object:
    kept = app.user_middleware
    app.user_middleware = [m for m in kept if m.cls is not GraphQLPostFastPath]
    try:
        return app.build_middleware_stack()
    finally:
        app.user_middleware = kept


def _answer(client: TestClient, body: bytes, headers: dict[str, str]) -> tuple[int, object, dict]:
    response = client.post("/graphql", content=body, headers=headers)
    try:
        content: object = response.json()
    except ValueError:
        content = response.text
    kept = {k: v for k, v in response.headers.items() if k not in VARYING}
    return response.status_code, content, kept


@pytest.mark.parametrize("case", list(CASES))
def test_the_direct_path_answers_as_the_router(
    both: tuple[TestClient, TestClient], case: str
) -> None:
    served, router_only = both
    body, headers = CASES[case]
    assert _answer(served, body, headers) == _answer(router_only, body, headers)


def test_the_direct_path_is_taken_for_a_well_formed_operation(
    both: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    served, _ = both
    executed = []
    original = GraphQLPostFastPath.__call__

    async def counting(self, scope, receive, send):  # type: ignore[no-untyped-def]
        executed.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(GraphQLPostFastPath, "__call__", counting)
    response = served.post("/graphql", content=_op("{ health { ok } }"), headers=JSON)
    assert response.json()["data"] == {"health": {"ok": True}}
    assert executed == ["/graphql"]
