"""Person tokens end: at their expiry (by the application's clock), or when revoked by
the admin or by their own person. A revoked token is refused at once by the process
that revoked it, by every other process within the token cache's lifetime, and after a
restart."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import build_services
from api.auth import KnownTokens
from api.services import Services
from storage.database import Storage
from tests.api.conftest import wait_for_subscriptions
from tests.api.graphql_client import CONSENT, ME, PROPOSE, SUBSCRIBE, GraphQL
from tests.api.test_subscriptions import _connect, _next_event
from tests.conftest import FakeClock

ISSUE = """mutation($id: ID!, $at: DateTime, $ttl: Int) {
  issueToken(personId: $id, expiresAt: $at, expiresInSeconds: $ttl) {
    token tokenId expiresAt errors { code message field } } }"""
REVOKE = """mutation($id: ID!, $reason: String) { revokeToken(id: $id, reason: $reason) {
  tokenId revoked errors { code message field } } }"""


def issue(gql: GraphQL, person: str, **variables: Any) -> dict[str, Any]:
    payload = gql.admin(ISSUE, id=person, **variables)["issueToken"]
    assert payload["errors"] == [], payload
    return dict(payload)


def me(gql: GraphQL, token: str) -> str:
    """The caller's person id, or the top-level error code."""
    body = gql.result(ME, token)
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    return str(body["data"]["me"]["id"])


def revoke(gql: GraphQL, token: str | None, token_id: str, reason: str | None = None) -> Any:
    body = gql.result(REVOKE, token, id=token_id, reason=reason)
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    return body["data"]["revokeToken"]


def test_a_token_expires_at_its_time_even_when_cached(
    gql: GraphQL, services: Services, clock: FakeClock
) -> None:
    services.app.clock = clock
    jim = gql.register("Jim")
    issued = issue(gql, jim, ttl=3600)
    assert issued["expiresAt"] == clock.advance(hours=1).isoformat()
    clock.advance(hours=-1)
    assert me(gql, issued["token"]) == jim  # now in the token cache
    clock.advance(minutes=59, seconds=59)
    assert me(gql, issued["token"]) == jim
    clock.advance(seconds=1)
    assert me(gql, issued["token"]) == "UNAUTHENTICATED"
    assert me(gql, gql.tokens[jim]) == jim  # a token without expiry goes on

    at = clock.advance(days=1).isoformat()
    clock.advance(days=-1)
    by_time = issue(gql, jim, at=at)
    assert by_time["expiresAt"] == at
    assert me(gql, by_time["token"]) == jim
    clock.advance(days=1)
    assert me(gql, by_time["token"]) == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"ttl": 0}, "expiresInSeconds"),
        ({"ttl": -5}, "expiresInSeconds"),
        ({"ttl": 400_000_000}, "expiresInSeconds"),  # 12.7 years
        ({"ttl": 60, "at": "2099-01-01T00:00:00+00:00"}, "expiresInSeconds"),
        ({"at": "2000-01-01T00:00:00+00:00"}, "expiresAt"),
        ({"at": "2026-12-01T00:00:00"}, "expiresAt"),  # no time zone
    ],
)
def test_a_bad_expiry_is_refused_and_writes_nothing(
    gql: GraphQL, services: Services, clock: FakeClock, variables: dict[str, Any], field: str
) -> None:
    services.app.clock = clock
    jim = gql.register("Jim")
    before = services.app.recorder.max_notification_id()
    payload = gql.admin(ISSUE, id=jim, **variables)["issueToken"]
    assert payload["token"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("BAD_USER_INPUT", field)]
    assert services.app.recorder.max_notification_id() == before


def test_the_admin_revokes_a_token_and_it_stops_at_once(gql: GraphQL) -> None:
    jim = gql.register("Jim")
    issued = issue(gql, jim)
    assert me(gql, issued["token"]) == jim  # cached from here on
    result = revoke(gql, gql.admin_token, issued["tokenId"], "lost laptop")
    assert result == {"tokenId": issued["tokenId"], "revoked": True, "errors": []}
    assert me(gql, issued["token"]) == "UNAUTHENTICATED"
    assert me(gql, gql.tokens[jim]) == jim  # only that token
    again = revoke(gql, gql.admin_token, issued["tokenId"])
    assert [e["code"] for e in again["errors"]] == ["INVALID_TRANSITION"]


@pytest.mark.parametrize(
    "spelling",
    [str.upper, lambda i: f"urn:uuid:{i}", lambda i: f"{{{i}}}", lambda i: i.replace("-", "")],
    ids=["upper", "urn", "braces", "hex"],
)
def test_a_revocation_by_any_spelling_of_the_id_stops_the_token_at_once(
    gql: GraphQL, spelling: Any
) -> None:
    jim = gql.register("Jim")
    issued = issue(gql, jim)
    assert me(gql, issued["token"]) == jim  # cached from here on
    result = revoke(gql, gql.admin_token, spelling(issued["tokenId"]))
    assert result == {"tokenId": issued["tokenId"], "revoked": True, "errors": []}
    assert me(gql, issued["token"]) == "UNAUTHENTICATED"


def test_a_person_revokes_their_own_token_and_no_one_elses(gql: GraphQL) -> None:
    jim, john = gql.register("Jim"), gql.register("John")
    jims = issue(gql, jim)
    johns = issue(gql, john)
    # John cannot revoke Jim's token, and cannot tell it from a token that does not exist.
    foreign = revoke(gql, johns["token"], jims["tokenId"])
    unknown_id = "8a4b1e2c-0000-4000-8000-000000000000"
    unknown = revoke(gql, johns["token"], unknown_id)
    assert [e["code"] for e in foreign["errors"]] == ["NOT_FOUND"]
    assert (
        foreign["errors"][0]["message"].replace(jims["tokenId"], unknown_id)
        == (unknown["errors"][0]["message"])
    )
    assert me(gql, jims["token"]) == jim
    # Jim revokes the very token he is using.
    assert revoke(gql, jims["token"], jims["tokenId"])["revoked"] is True
    assert me(gql, jims["token"]) == "UNAUTHENTICATED"
    assert revoke(gql, jims["token"], jims["tokenId"]) == "UNAUTHENTICATED"
    assert revoke(gql, None, johns["tokenId"]) == "UNAUTHENTICATED"
    bad = revoke(gql, gql.admin_token, "not-an-id")
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("BAD_USER_INPUT", "id")]
    long = revoke(gql, gql.admin_token, johns["tokenId"], "x" * 501)
    assert [(e["code"], e["field"]) for e in long["errors"]] == [("BAD_USER_INPUT", "reason")]
    assert me(gql, johns["token"]) == john


def test_revocation_reaches_other_processes_within_the_cache_lifetime(
    gql: GraphQL, services: Services, storage: Storage
) -> None:
    """Another process (its own application and token cache on the same storage) keeps a
    token it has seen for at most its cache's lifetime, then refuses it; after a restart
    the revocation holds, since it is an event in the log."""
    jim = gql.register("Jim")
    issued = issue(gql, jim)
    other = build_services(storage)
    now = [0.0]
    other.known_tokens = KnownTokens(ttl=5.0, monotonic=lambda: now[0])
    try:
        assert other.actor(issued["token"]) == jim
        assert revoke(gql, gql.admin_token, issued["tokenId"])["revoked"] is True
        assert other.actor(issued["token"]) == jim  # still cached: within the bound
        now[0] += 5.1
        assert other.actor(issued["token"]) is None
        assert other.app.authenticate(issued["token"]) is None
    finally:
        other.close()
    restarted = build_services(storage)
    try:
        assert restarted.actor(issued["token"]) is None
        assert restarted.actor(gql.tokens[jim]) == jim
    finally:
        restarted.close()


def test_the_token_cache_can_be_turned_off(
    gql: GraphQL, services: Services, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTRODUCTIONS_TOKEN_CACHE_SECONDS", "0")
    jim = gql.register("Jim")
    issued = issue(gql, jim)
    other = build_services(storage)
    try:
        assert other.actor(issued["token"]) == jim
        revoke(gql, gql.admin_token, issued["tokenId"])
        assert other.actor(issued["token"]) is None
    finally:
        other.close()
    monkeypatch.setenv("INTRODUCTIONS_TOKEN_CACHE_SECONDS", "forever")
    with pytest.raises(Exception, match="INTRODUCTIONS_TOKEN_CACHE_SECONDS='forever'"):
        build_services(storage)


def test_an_open_subscription_ends_when_its_token_is_revoked(
    gql: GraphQL, client: TestClient, services: Services
) -> None:
    jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
    issued = issue(gql, jim)
    iid = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]
    ws, socket = _connect(client, issued["token"])
    try:
        assert socket.receive_json()["type"] == "connection_ack"
        payload = {"query": SUBSCRIBE, "variables": {"id": iid}}
        socket.send_json({"id": "1", "type": "subscribe", "payload": payload})
        wait_for_subscriptions(services, 1)
        gql.mutate(john, CONSENT, id=iid)
        assert _next_event(socket)["data"]["introductionEvents"]["type"] == "ConsentGiven"
        assert revoke(gql, gql.admin_token, issued["tokenId"])["revoked"] is True
        gql.mutate(jim, CONSENT, id=iid)
        # The socket is closed, and the event was not sent.
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 4403
    finally:
        ws.__exit__(None, None, None)
