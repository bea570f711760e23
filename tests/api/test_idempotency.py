"""idempotencyKey over GraphQL: a mutation repeated with the same key by the same caller
within 24 hours answers the same payload and writes nothing; other arguments are
BAD_USER_INPUT on the field idempotencyKey; another caller's key is another key."""

from __future__ import annotations

from typing import Any

import pytest

from api.services import Services
from tests.api.graphql_client import CONSENT, HISTORY, PAYLOAD, PROPOSE, GraphQL
from tests.conftest import FakeClock

ERRORS = "errors { code message field }"
REGISTER = f"""mutation($name: String!, $key: String) {{
  registerPerson(input: {{displayName: $name}}, idempotencyKey: $key) {{
    person {{ id displayName }} {ERRORS} }} }}"""
PROPOSE_ONCE = f"""mutation($r: ID!, $t: ID!, $c: String!, $key: String) {{
  proposeIntroduction(input: {{requesterId: $r, targetId: $t, context: $c}},
    idempotencyKey: $key) {{ {PAYLOAD} }} }}"""
CONSENT_ONCE = f"""mutation($id: ID!, $key: String) {{
  consentToIntroduction(id: $id, idempotencyKey: $key) {{ {PAYLOAD} }} }}"""
REPLY_ONCE = f"""mutation($id: ID!, $m: String, $key: String) {{
  recordReply(id: $id, message: $m, idempotencyKey: $key) {{ {PAYLOAD} }} }}"""
ISSUE_ONCE = f"""mutation($id: ID!, $key: String) {{
  issueToken(personId: $id, idempotencyKey: $key) {{ token tokenId expiresAt {ERRORS} }} }}"""
REGISTER_WEBHOOK_ONCE = f"""mutation($key: String) {{
  registerWebhook(input: {{url: "http://127.0.0.1:9/hook"}}, idempotencyKey: $key) {{
    registration {{ secret webhook {{ id url active }} }} {ERRORS} }} }}"""
ROTATE_ONCE = f"""mutation($id: ID!, $key: String) {{
  rotateWebhookSecret(id: $id, idempotencyKey: $key) {{
    registration {{ secret webhook {{ id }} }} {ERRORS} }} }}"""
REPLAY_ONCE = f"""mutation($id: ID!, $since: DateTime!, $key: String) {{
  replayWebhook(webhookId: $id, since: $since, idempotencyKey: $key) {{ scheduled {ERRORS} }} }}"""
DEACTIVATE_ONCE = f"""mutation($id: ID!, $key: String) {{
  deactivateWebhook(id: $id, idempotencyKey: $key) {{ webhook {{ id active }} {ERRORS} }} }}"""


def payload(body: dict[str, Any]) -> dict[str, Any]:
    assert not body.get("errors"), body
    return dict(next(iter(body["data"].values())))


def event_types(gql: GraphQL, person: str, introduction_id: str) -> list[str]:
    history = gql.as_(person, HISTORY, id=introduction_id)["introductionHistory"]
    return [e["type"] for e in history]


def consented(gql: GraphQL) -> tuple[dict[str, str], str]:
    people = {name: gql.register(name) for name in ("Jason", "Jim", "John")}
    introduction_id = gql.mutate(
        people["Jason"], PROPOSE, r=people["Jim"], t=people["John"], c="Talk."
    )["introduction"]["id"]
    gql.mutate(people["Jim"], CONSENT, id=introduction_id)
    gql.mutate(people["John"], CONSENT, id=introduction_id)
    return people, introduction_id


def test_the_same_key_twice_answers_the_same_payload_and_writes_once(gql: GraphQL) -> None:
    people, introduction_id = consented(gql)
    jim = gql.tokens[people["Jim"]]

    first = payload(gql.result(REPLY_ONCE, jim, id=introduction_id, m="Hello", key="k-1"))
    again = payload(gql.result(REPLY_ONCE, jim, id=introduction_id, m="Hello", key="k-1"))

    assert first["errors"] == []
    assert again == first
    assert event_types(gql, people["Jim"], introduction_id).count("ReplyRecorded") == 1


def test_a_repeated_proposal_and_registration_answer_the_same_ids(gql: GraphQL) -> None:
    registered = payload(gql.result(REGISTER, gql.admin_token, name="Ann", key="ann"))
    assert payload(gql.result(REGISTER, gql.admin_token, name="Ann", key="ann")) == registered
    people = {name: gql.register(name) for name in ("Jason", "Jim", "John")}
    jason = gql.tokens[people["Jason"]]
    ids = {"r": people["Jim"], "t": people["John"], "c": "Talk."}

    first = payload(gql.result(PROPOSE_ONCE, jason, key="p", **ids))
    again = payload(gql.result(PROPOSE_ONCE, jason, key="p", **ids))

    assert first["introduction"]["id"] == again["introduction"]["id"]
    assert again == first
    assert event_types(gql, people["Jason"], first["introduction"]["id"]) == [
        "IntroductionProposed"
    ]


def test_other_arguments_with_the_key_are_bad_input_and_write_nothing(gql: GraphQL) -> None:
    people, introduction_id = consented(gql)
    jim = gql.tokens[people["Jim"]]
    payload(gql.result(REPLY_ONCE, jim, id=introduction_id, m="Hello", key="k-2"))

    refused = payload(gql.result(REPLY_ONCE, jim, id=introduction_id, m="Hi!", key="k-2"))

    assert refused["introduction"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "idempotencyKey")
    assert "different arguments" in error["message"]
    assert event_types(gql, people["Jim"], introduction_id).count("ReplyRecorded") == 1


def test_another_caller_with_the_same_key_writes(gql: GraphQL) -> None:
    people = {name: gql.register(name) for name in ("Jason", "Jim", "John")}
    introduction_id = gql.mutate(
        people["Jason"], PROPOSE, r=people["Jim"], t=people["John"], c="Talk."
    )["introduction"]["id"]
    for name in ("Jim", "John"):
        answer = payload(
            gql.result(CONSENT_ONCE, gql.tokens[people[name]], id=introduction_id, key="same")
        )
        assert answer["errors"] == []
    assert answer["introduction"]["status"] == "CONSENTED"
    assert event_types(gql, people["Jim"], introduction_id).count("ConsentGiven") == 2


def test_after_24_hours_the_key_writes_again(
    gql: GraphQL, services: Services, clock: FakeClock
) -> None:
    services.app.clock = clock
    people, introduction_id = consented(gql)
    jim = gql.tokens[people["Jim"]]
    first = payload(gql.result(REPLY_ONCE, jim, id=introduction_id, m="Hello", key="k-3"))
    clock.advance(hours=23, minutes=59, seconds=59)
    assert payload(gql.result(REPLY_ONCE, jim, id=introduction_id, m="Hello", key="k-3")) == first
    clock.advance(seconds=1)

    later = payload(gql.result(REPLY_ONCE, jim, id=introduction_id, m="Hello", key="k-3"))

    assert later["introduction"]["version"] == first["introduction"]["version"] + 1
    assert event_types(gql, people["Jim"], introduction_id).count("ReplyRecorded") == 2


@pytest.mark.parametrize("key", ["", "k" * 201, "tab\there"])
def test_a_malformed_key_is_bad_input(gql: GraphQL, key: str) -> None:
    refused = payload(gql.result(REGISTER, gql.admin_token, name="Ann", key=key))
    assert refused["person"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "idempotencyKey")


def test_a_repeated_issue_token_names_the_token_and_says_it_is_not_shown_again(
    gql: GraphQL,
) -> None:
    jim = gql.register("Jim")
    first = payload(gql.result(ISSUE_ONCE, gql.admin_token, id=jim, key="t"))
    again = payload(gql.result(ISSUE_ONCE, gql.admin_token, id=jim, key="t"))

    assert first["token"]
    assert first["errors"] == []
    assert again["token"] is None
    assert (again["tokenId"], again["expiresAt"]) == (first["tokenId"], first["expiresAt"])
    [error] = again["errors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "idempotencyKey")
    assert first["tokenId"] in error["message"]
    assert "revokeToken" in error["message"]
    assert first["token"] not in str(again)
    assert gql.result("{ me { id } }", first["token"])["data"]["me"]["id"] == jim


def test_repeated_webhook_mutations_answer_the_first_payload(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE", "1")
    admin = gql.admin_token
    registered = payload(gql.result(REGISTER_WEBHOOK_ONCE, admin, key="w"))
    assert payload(gql.result(REGISTER_WEBHOOK_ONCE, admin, key="w")) == registered
    webhook_id = registered["registration"]["webhook"]["id"]
    assert [w["id"] for w in gql.admin("{ webhooks { id } }")["webhooks"]] == [webhook_id]

    rotated = payload(gql.result(ROTATE_ONCE, admin, id=webhook_id, key="rot"))
    assert payload(gql.result(ROTATE_ONCE, admin, id=webhook_id, key="rot")) == rotated
    assert rotated["registration"]["secret"] != registered["registration"]["secret"]
    since = "2000-01-01T00:00:00+00:00"
    replayed = payload(gql.result(REPLAY_ONCE, admin, id=webhook_id, since=since, key="re"))
    assert payload(gql.result(REPLAY_ONCE, admin, id=webhook_id, since=since, key="re")) == (
        replayed
    )
    assert replayed["errors"] == []
    off = payload(gql.result(DEACTIVATE_ONCE, admin, id=webhook_id, key="off"))
    assert payload(gql.result(DEACTIVATE_ONCE, admin, id=webhook_id, key="off")) == off
    assert off["webhook"]["active"] is False
