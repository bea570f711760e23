"""Errors are data: every ErrorCode comes back in a payload with its field; malformed
ids, wrong types and bad enum values are BAD_USER_INPUT; unexpected exceptions are masked
with a request id that the log carries too."""

from __future__ import annotations

import base64
import logging
import uuid

import pytest

from api.services import Services
from tests.api.graphql_client import (
    BURN,
    CONSENT,
    INTRODUCTION,
    PROPOSE,
    REGISTER,
    REPLY,
    GraphQL,
)


@pytest.fixture
def trio(gql: GraphQL) -> tuple[str, str, str]:
    return gql.register("Jason"), gql.register("Jim"), gql.register("John")


def _error(gql: GraphQL, token: str, query: str, **variables: object) -> dict[str, object]:
    payload = next(iter(gql.data(query, token, **variables).values()))
    assert payload["errors"], payload
    assert payload.get("introduction") is None
    assert payload.get("person") is None
    return payload["errors"][0]


def test_every_error_code_as_data(gql: GraphQL, trio: tuple[str, str, str]) -> None:
    jason, jim, john = trio
    t = gql.tokens
    # BAD_USER_INPUT, with the field at fault
    err = _error(gql, t[jason], PROPOSE, r=jim, t=jim, c="c")
    assert (err["code"], err["field"]) == ("BAD_USER_INPUT", "targetId")
    err = _error(gql, t[jason], PROPOSE, r=jim, t=john, c="x" * 4001)
    assert (err["code"], err["field"]) == ("BAD_USER_INPUT", "context")
    err = _error(gql, t[jason], PROPOSE, r="not-a-uuid", t=john, c="c")
    assert (err["code"], err["field"]) == ("BAD_USER_INPUT", "requesterId")
    err = _error(gql, gql.admin_token, REGISTER, name="")
    assert (err["code"], err["field"]) == ("BAD_USER_INPUT", "displayName")

    iid = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]
    # NOT_FOUND: an unknown id, and a malformed one inside a mutation
    assert _error(gql, t[jim], CONSENT, id=str(uuid.uuid4()))["code"] == "NOT_FOUND"
    assert _error(gql, t[jim], CONSENT, id="nope")["code"] == "BAD_USER_INPUT"
    # INVALID_TRANSITION: replying before both consented
    assert _error(gql, t[jim], REPLY, id=iid)["code"] == "INVALID_TRANSITION"
    # CONCURRENCY_CONFLICT: a stale expectedVersion
    assert _error(gql, t[jim], CONSENT, id=iid, v=7)["code"] == "CONCURRENCY_CONFLICT"
    # FORBIDDEN: the introducer cannot consent for a party
    assert _error(gql, t[jason], CONSENT, id=iid)["code"] == "FORBIDDEN"
    # nothing was written by any of them
    assert gql.as_(jason, INTRODUCTION, id=iid)["introduction"]["version"] == 1
    # a blamed person who is not a party
    gql.mutate(jim, CONSENT, id=iid, v=1)
    gql.mutate(john, CONSENT, id=iid, v=2)
    err = _error(gql, t[john], BURN, id=iid, blamed=jason, reason="OTHER")
    assert (err["code"], err["field"]) == ("BAD_USER_INPUT", "blamedPersonId")


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ introduction(id: "nope") { id } }', {}),
        ("query($id: ID!) { introduction(id: $id) { id } }", {"id": 12}),
        ("query($id: ID!) { introduction(id: $id) { id } }", {"id": {"a": 1}}),
        (
            'mutation { burnIntroduction(input: {id: "a", blamedPersonId: "b", reason: NOPE}) '
            "{ errors { code } } }",
            {},
        ),
        (
            "query($s: IntroductionStatus) { introductions(filter: {status: $s}) { totalCount } }",
            {"s": "WHATEVER"},
        ),
        ("{ introductions(first: -1) { totalCount } }", {}),
        ('{ introductions(after: "garbage") { totalCount } }', {}),
        (
            '{ introductionAt(id: "8a4b1e2c-0000-4000-8000-000000000000", at: "yesterday") '
            "{ id } }",
            {},
        ),
        ('{ leaderboard(first: "ten") { score } }', {}),
        ("{ nosuchfield }", {}),
        ("subscription { introductionEvents { id } }", {}),  # websockets only
        ("{ health { ok ", {}),
    ],
)
def test_malformed_requests_are_bad_user_input(
    gql: GraphQL, query: str, variables: dict[str, object]
) -> None:
    body = gql.result(query, gql.admin_token, **variables)
    assert body["errors"], body
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}, body


def test_unexpected_errors_are_masked_and_logged(
    gql: GraphQL,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def boom(*_: object) -> None:
        msg = "secret internals /etc/passwd"
        raise RuntimeError(msg)

    monkeypatch.setattr(services.app, "history", boom)
    jason = gql.register("Jason")
    with caplog.at_level(logging.ERROR):
        response = gql.raw(
            f'{{ introductionHistory(id: "{uuid.uuid4()}") {{ id }} }}', gql.tokens[jason]
        )
    assert response.status_code == 200
    body = response.json()
    [error] = body["errors"]
    request_id = response.headers["x-request-id"]
    assert error["message"] == f"Unexpected error (request id {request_id})."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == request_id]
    assert logged
    assert logged[0].exc_info is not None


def test_first_is_capped_at_100(gql: GraphQL) -> None:
    body = gql.result(
        "{ introductions(first: 100000) { totalCount } leaderboard(first: 5000) { score } }",
        gql.admin_token,
    )
    assert "errors" not in body, body


def test_issue_token_for_an_unknown_person(gql: GraphQL) -> None:
    query = "mutation($id: ID!) { issueToken(personId: $id) { token errors { code field } } }"
    for person_id in (str(uuid.uuid4()), "nope"):
        payload = gql.admin(query, id=person_id)["issueToken"]
        assert payload == {
            "token": None,
            "errors": [{"code": "BAD_USER_INPUT", "field": "personId"}],
        }


@pytest.mark.parametrize(
    "seq",
    ["9223372036854775808", "18446744073709551616", "9" * 400, "٣", "00000000000000000000001"],
)
def test_a_cursor_beyond_any_position_is_bad_user_input_on_after(gql: GraphQL, seq: str) -> None:
    cursor = base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")
    body = gql.result(
        "query($a: String) { introductions(after: $a) { totalCount } }", gql.admin_token, a=cursor
    )
    assert [(e["extensions"]["code"], e["extensions"].get("field")) for e in body["errors"]] == [
        ("BAD_USER_INPUT", "after")
    ], body


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"name": "Alice\u202eecilA"}, "displayName"),  # right-to-left override
        ({"name": "\u2067Bob\u2069"}, "displayName"),  # isolates
        ({"name": "Eve\x1b]0;owned\x07"}, "displayName"),  # a terminal escape
        ({"name": "Jim", "org": "Acme\u202a"}, "organization"),
        ({"name": "Jim", "offers": ["intros", "\u202dsales"]}, "offers"),
        ({"name": "Jim", "needs": ["a\nb"]}, "needs"),
    ],
)
def test_person_text_with_bidirectional_or_control_characters_is_refused(
    gql: GraphQL, services: Services, variables: dict[str, object], field: str
) -> None:
    before = services.app.recorder.max_notification_id()
    payload = gql.admin(REGISTER, **variables)["registerPerson"]
    assert payload["person"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("BAD_USER_INPUT", field)]
    assert services.app.recorder.max_notification_id() == before
