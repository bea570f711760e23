"""Hostile or broken requests get 4xx or errors-as-data, never a 5xx, and the service
keeps answering."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.schema import checking
from api.services import Services
from domain.errors import ConfigurationError
from tests.api.conftest import ADMIN_TOKEN
from tests.api.graphql_client import GraphQL
from tests.e2e.hostile import expensive_query

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _deep(depth: int) -> str:
    # The schema has no cycles, so a query this deep is also invalid; the depth limiter
    # must still say so, before anything runs.
    return "{ introductions { edges { node { " + "introducer { " * depth + "id" + " }" * (depth + 4)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/json"),
        (b"{not json", "application/json"),
        (b"[]", "application/json"),
        (b'"a string"', "application/json"),
        (b'{"query": 12}', "application/json"),
        (b'{"query": "{ health { ok } }", "variables": "nope"}', "application/json"),
        (b'{"query": null}', "application/json"),
        (b"query=%7Bhealth%7Bok%7D%7D", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"{}", "text/plain"),
    ],
)
def test_malformed_bodies_are_4xx(client: TestClient, body: bytes, content_type: str) -> None:
    response = client.post("/graphql", content=body, headers={**AUTH, "content-type": content_type})
    assert 400 <= response.status_code < 500 or (
        response.status_code == 200 and response.json().get("errors")
    ), (response.status_code, response.text)
    assert "Traceback" not in response.text
    assert client.get("/healthz").status_code == 200


def test_body_over_one_mebibyte_is_413(client: TestClient) -> None:
    big = b'{"query": "{ health { ok } }", "pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert client.post("/graphql", content=big, headers=AUTH).status_code == 413

    def chunks():  # no Content-Length: the limit holds while streaming too
        for _ in range(20):
            yield b"x" * (128 * 1024)

    streamed = client.post(
        "/graphql", content=chunks(), headers={**AUTH, "content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert client.get("/healthz").status_code == 200


def test_huge_strings_are_bad_user_input(gql: GraphQL) -> None:
    body = gql.result(
        "mutation($n: String!) { registerPerson(input: {displayName: $n}) "
        "{ person { id } errors { code field } } }",
        ADMIN_TOKEN,
        n="x" * 500_000,
    )
    assert body["data"]["registerPerson"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "displayName"}
    ]


@pytest.mark.parametrize(
    "query",
    [
        _deep(12),  # deeper than the depth limit
        "{ " + " ".join(f"a{i}: health {{ ok }}" for i in range(40)) + " }",  # aliases
        "{ health { " + "ok " * 3000 + "} }",  # tokens
        "{ health { ok } " + "...F " * 51 + "} fragment F on Query { __typename }",
        "{ health { ok } } "
        + " ".join(f"fragment F{i} on Query {{ __typename }}" for i in range(51)),
        # deeper than the limit only through fragments
        "{ introductions { ...E } } "
        "fragment E on IntroductionConnection { edges { node { ...I } } } "
        "fragment I on Introduction { " + "introducer { " * 12 + "id" + " }" * 13,
    ],
    ids=["depth", "aliases", "tokens", "spreads", "fragments", "depth through fragments"],
)
def test_expensive_queries_are_refused(gql: GraphQL, query: str) -> None:
    body = gql.result(query, ADMIN_TOKEN)
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    limits = ("depth", "aliases", "token", "fragments")
    assert any(word in e["message"] for e in body["errors"] for word in limits), body


def test_operations_endpoints(client: TestClient, gql: GraphQL) -> None:
    assert client.get("/healthz").json() == {"ok": True}
    gql.register("Someone")
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["projections"] == "caught up"
    text = client.get("/metrics").text
    for name in (
        "introductions_http_requests_total",
        "introductions_http_request_duration_seconds_bucket",
        "introductions_graphql_errors_total",
        "introductions_projection_lag_events",
    ):
        assert name in text
    graphiql = client.get("/graphql", headers={"accept": "text/html"})
    assert graphiql.status_code == 200
    assert "graphiql" in graphiql.text.lower()


def test_no_token_in_logs(
    client: TestClient, gql: GraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    with caplog.at_level(logging.DEBUG):
        person = gql.register("Jim")
        gql.data("{ me { id } }", gql.tokens[person])
        gql.result("{ me { id } }", "wrong-token-value")
    text = "\n".join(r.getMessage() + str(vars(r)) for r in caplog.records)
    assert ADMIN_TOKEN not in text
    assert gql.tokens[person] not in text
    assert "wrong-token-value" not in text


def test_an_accepted_query_reports_its_cost(gql: GraphQL) -> None:
    page = "{ introductions(first: 100) { edges { node { id history { type } } } totalCount } }"
    body = gql.result(page, ADMIN_TOKEN)
    assert "errors" not in body, body
    # 1 + 100 edges x (edge, node, id, history: 10 x (event, type)) + totalCount
    assert body["extensions"]["cost"] == 1 + 100 * (1 + 1 + 1 + 10 * 2) + 1
    assert gql.result("{ health { ok } }")["extensions"] == {"cost": 2}


def test_a_query_over_the_cost_limit_is_refused_before_anything_runs(gql: GraphQL) -> None:
    body = gql.result(expensive_query(), ADMIN_TOKEN)
    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "cost": 204_030, "limit": 10_000}
    assert "cost is 204030, over the limit of 10000" in error["message"]
    # a variable's value counts as a literal would
    query = "query($n: Int) { leaderboard(first: $n) { introducer { displayName } } }"
    assert gql.result(query, ADMIN_TOKEN, n=3)["extensions"]["cost"] == 3 * (1 + 2)


def test_the_cost_limit_is_a_setting_and_refused_writes_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTRODUCTIONS_MAX_QUERY_COST", "20")
    register = (
        'mutation { a: registerPerson(input: {displayName: "A"}) { person { id } errors '
        '{ code } } b: registerPerson(input: {displayName: "B"}) { person { id } errors '
        "{ code } } }"
    )
    with TestClient(create_app(services, run_projections=True)) as client:
        position = services.app.recorder.max_notification_id()
        body = GraphQL(client, ADMIN_TOKEN).result(register, ADMIN_TOKEN)
        assert body["errors"][0]["extensions"]["limit"] == 20
        assert body["errors"][0]["extensions"]["cost"] > 20
        assert body.get("data") is None
        assert services.app.recorder.max_notification_id() == position
    monkeypatch.setenv("INTRODUCTIONS_MAX_QUERY_COST", "0")
    with pytest.raises(ConfigurationError, match="INTRODUCTIONS_MAX_QUERY_COST"):
        create_app(services)


def test_a_document_that_takes_too_long_to_check_is_refused(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checking, "CHECK_BUDGET_SECONDS", 0)
    body = gql.result(f"{{ health {{ ok }} }} # {uuid.uuid4()}")
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "took more than 0 s to check" in body["errors"][0]["message"]


NESTED_JSON = (
    '{"query":"{health{ok}}","variables":{"a":' + "[" * 50_000 + "]" * 50_000 + "}}"
).encode()


def test_deeply_nested_json_is_400_over_http_and_4400_on_a_socket(client: TestClient) -> None:
    answer = client.post(
        "/graphql", content=NESTED_JSON, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    assert "nested" in answer.text
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_text(NESTED_JSON.decode())
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 4400
    assert client.get("/healthz").status_code == 200


def test_two_authorization_headers_are_400(client: TestClient, gql: GraphQL) -> None:
    person = gql.register("Jim")
    for pair in [(ADMIN_TOKEN, "made-up"), ("made-up", ADMIN_TOKEN), (gql.tokens[person],) * 2]:
        headers = [("Authorization", f"Bearer {token}") for token in pair]
        answer = client.post("/graphql", json={"query": "{ me { id } }"}, headers=headers)
        assert answer.status_code == 400, answer.text
        assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    handshake = httpx.Headers([("Authorization", f"Bearer {ADMIN_TOKEN}")] * 2)
    with (
        pytest.raises(WebSocketDenialResponse) as denied,
        client.websocket_connect("/graphql", ["graphql-transport-ws"], headers=handshake),
    ):
        pass
    assert denied.value.status_code == 400
    assert gql.as_(person, "{ me { id } }") == {"me": {"id": person}}
