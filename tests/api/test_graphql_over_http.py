"""GraphQL over HTTP: `application/graphql-response+json` with the spec's status codes,
the legacy `application/json` answer unchanged, GET for queries only; and nothing a
cross-site page can send without a preflight (GET, a form, text/plain) changes anything."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql.language.parser import Parser

from tests.api.conftest import ADMIN_TOKEN

NEW = "application/graphql-response+json"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PEOPLE = "{ people { totalCount } }"
PAGE = "query($n: Int) { people(first: $n) { totalCount } }"
REGISTER = 'mutation { registerPerson(input: {displayName: "Mallory"}) { errors { code } } }'


def post(client: TestClient, body: dict[str, Any], accept: str, **headers: str) -> Any:
    return client.post("/graphql", json=body, headers={"Accept": accept, **ADMIN, **headers})


def people_count(client: TestClient) -> int:
    return int(
        post(client, {"query": PEOPLE}, "application/json").json()["data"]["people"]["totalCount"]
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"query": "{ people { totalCount }"}, 400),  # does not parse
        ({"query": "{ nobody }"}, 400),  # does not validate
        (
            {
                "query": "query($n: Int) { people(first: $n) { totalCount } }",
                "variables": {"n": "x"},
            },
            400,
        ),
    ],
)
def test_a_request_error_is_4xx_without_data_under_the_new_media_type(
    client: TestClient, body: dict[str, Any], status: int
) -> None:
    answer = post(client, body, f"{NEW}, application/json;q=0.9")
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith(NEW)
    assert "data" not in answer.json()
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    legacy = post(client, body, "application/json")
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")


def test_the_new_media_type_answers_what_executed_with_200(client: TestClient) -> None:
    ok = post(client, {"query": PEOPLE}, NEW)
    assert ok.status_code == 200
    assert ok.headers["content-type"] == f"{NEW}; charset=utf-8"
    assert ok.json()["data"] == {"people": {"totalCount": 0}}
    # A field error executed: 200, with data (null up to the non-null root field).
    field_error = post(client, {"query": "{ people(first: -1) { totalCount } }"}, NEW)
    assert field_error.status_code == 200
    assert field_error.json()["data"] is None
    assert field_error.json()["errors"][0]["path"] == ["people"]
    unauthenticated = client.post("/graphql", json={"query": PEOPLE}, headers={"Accept": NEW})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"] == "Bearer"
    assert "data" not in unauthenticated.json()
    for accept in ("application/json", "*/*", f"application/json, {NEW};q=0.5"):
        legacy = post(client, {"query": PEOPLE}, accept)
        assert legacy.headers["content-type"] == "application/json", accept


def test_get_runs_queries_and_never_mutations(client: TestClient) -> None:
    answer = client.get(
        "/graphql",
        params={
            "query": "query($n: Int) { people(first: $n) { totalCount } }",
            "variables": '{"n": 1}',
        },
        headers={"Accept": NEW, **ADMIN},
    )
    assert answer.status_code == 200
    assert answer.json()["data"] == {"people": {"totalCount": 0}}
    register = 'mutation { registerPerson(input: {displayName: "Mallory"}) { errors { code } } }'
    for accept in (NEW, "application/json", "*/*"):
        refused = client.get(
            "/graphql", params={"query": register}, headers={"Accept": accept, **ADMIN}
        )
        assert refused.status_code == 405
        assert refused.headers["allow"] == "POST"
    assert people_count(client) == 0


def test_a_query_by_get_is_parsed_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The GET view's look at the operation type and the check share one parse."""
    parses: list[str] = []
    parse_document = Parser.parse_document

    def counted(parser: Parser) -> Any:
        parses.append("parsed")
        return parse_document(parser)

    monkeypatch.setattr(Parser, "parse_document", counted)
    # A text no other test sent: a document is parsed once per process, not per test.
    query = f"query ParsedOnce{uuid.uuid4().hex} {{ people(first: 3) {{ totalCount }} }}"
    answer = client.get("/graphql", params={"query": query}, headers=ADMIN)
    assert answer.json()["data"] == {"people": {"totalCount": 0}}
    assert len(parses) == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_cross_site_form_cannot_change_anything(client: TestClient, content_type: str) -> None:
    """What a page on another origin can send without a preflight, with the token even."""
    body = json.dumps({"query": REGISTER})
    answer = client.post("/graphql", content=body, headers={"Content-Type": content_type, **ADMIN})
    assert 400 <= answer.status_code < 500
    assert people_count(client) == 0
