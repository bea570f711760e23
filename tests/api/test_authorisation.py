"""Who may do what: the admin, the introducer, each party, an outsider and no token,
against every operation of the contract. An outsider cannot learn that an introduction
exists: it sees exactly what it sees for a random id."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import GraphQLObjectType
from graphql import build_schema as parse_sdl
from starlette.websockets import WebSocketDisconnect

import tests.api.test_forget_person as forgetting
import tests.api.test_subscriptions as subscriptions  # as a module: not collected twice
import tests.api.test_suggestions as suggestions
from api.schema import schema_sdl
from api.services import Services
from tests.api.conftest import wait_for_subscriptions
from tests.api.graphql_client import (
    BURN,
    CONSENT,
    DECLINE,
    DELIVERIES,
    FORMED,
    HISTORY,
    INTRODUCTION,
    INTRODUCTION_AT,
    INTRODUCTIONS,
    ISSUE_TOKEN,
    LEADERBOARD,
    ME,
    PROPOSE,
    REGISTER,
    REGISTER_WEBHOOK,
    REPLY,
    REPUTATION,
    SUBSCRIBE,
    TRACK_RECORD,
    WEBHOOKS,
    GraphQL,
)
from tests.api.test_profiles import UPDATE as UPDATE_PROFILE
from tests.api.test_reply_coach import ASSESS
from tests.api.test_subscriptions import _connect
from tests.api.test_token_lifecycle import ISSUE, REVOKE

ROLES = ("admin", "introducer", "requester", "target", "outsider", "anonymous")
OK = "OK"


class Cast:
    def __init__(self, gql: GraphQL) -> None:
        self.gql = gql
        self.ids = {r: gql.register(r.capitalize()) for r in ROLES[1:5]}

    def token(self, role: str) -> str | None:
        if role == "admin":
            return self.gql.admin_token
        if role == "anonymous":
            return None
        return self.gql.tokens[self.ids[role]]

    def introduction(self, state: str) -> str:
        """A fresh introduction of requester and target by introducer, in a given state."""
        g, ids = self.gql, self.ids
        # The same pair may be open only once per introducer: use a fresh target each time.
        target = g.register(f"Target {uuid.uuid4().hex[:6]}") if state != "base" else ids["target"]
        intro = g.mutate(ids["introducer"], PROPOSE, r=ids["requester"], t=target, c="c")
        iid = intro["introduction"]["id"]
        if state in {"CONSENTED", "REPLIED"}:
            g.mutate(ids["requester"], CONSENT, id=iid)
            g.mutate(target, CONSENT, id=iid)
        if state == "REPLIED":
            g.mutate(ids["requester"], REPLY, id=iid)
        self.last_target = target
        return iid

    def outcome(self, role: str, query: str, **variables: object) -> str:
        body = self.gql.result(query, self.token(role), **variables)
        if body.get("errors"):
            assert body["data"] is None or not any(body["data"].values()), body
            return body["errors"][0]["extensions"]["code"]
        payload = next(iter(body["data"].values()))
        if isinstance(payload, dict) and payload.get("errors"):
            return payload["errors"][0]["code"]
        return OK


@pytest.fixture
def cast(gql: GraphQL) -> Cast:
    return Cast(gql)


PARTY_ONLY = {
    "admin": "FORBIDDEN",
    "introducer": "FORBIDDEN",
    "requester": OK,
    "target": OK,
    "outsider": "NOT_FOUND",
    "anonymous": "UNAUTHENTICATED",
}
PARTY_OR_INTRODUCER = {**PARTY_ONLY, "introducer": OK}
ADMIN_ONLY = {r: "FORBIDDEN" for r in ROLES[1:5]} | {"admin": OK, "anonymous": "UNAUTHENTICATED"}


def _as_party(cast: Cast, role: str) -> str:
    return cast.last_target if role == "target" else role


MUTATIONS: dict[str, tuple[str, Callable[[Cast, str], dict[str, object]], dict[str, str]]] = {
    "consentToIntroduction": ("PROPOSED", lambda c, i: {"id": i}, PARTY_ONLY),
    "declineIntroduction": ("PROPOSED", lambda c, i: {"id": i}, PARTY_ONLY),
    "recordReply": ("CONSENTED", lambda c, i: {"id": i}, PARTY_ONLY),
    "recordRelationshipFormed": ("REPLIED", lambda c, i: {"id": i}, PARTY_OR_INTRODUCER),
    "burnIntroduction": (
        "CONSENTED",
        lambda c, i: {"id": i, "blamed": c.ids["requester"], "reason": "CANNED_MESSAGE"},
        PARTY_OR_INTRODUCER,
    ),
}
DOCUMENTS = {
    "consentToIntroduction": CONSENT,
    "declineIntroduction": DECLINE,
    "recordReply": REPLY,
    "recordRelationshipFormed": FORMED,
    "burnIntroduction": BURN,
}


@pytest.mark.parametrize("operation", sorted(MUTATIONS))
def test_introduction_mutations(cast: Cast, operation: str) -> None:
    state, variables, expected = MUTATIONS[operation]
    seen = {}
    for role in ROLES:
        iid = cast.introduction(state)
        if role == "target":
            # the fresh target of this introduction acts, with its own token
            cast.gql.tokens["__target"] = cast.gql.tokens[cast.last_target]
            token = cast.gql.tokens[cast.last_target]
            body = cast.gql.result(DOCUMENTS[operation], token, **variables(cast, iid))
            payload = body["data"][operation]
            seen[role] = payload["errors"][0]["code"] if payload["errors"] else OK
        else:
            seen[role] = cast.outcome(role, DOCUMENTS[operation], **variables(cast, iid))
    assert seen == expected
    # The outsider's answer about a real introduction is the one about a random id.
    iid = cast.introduction(state)
    random_id = str(uuid.uuid4())
    token = cast.token("outsider")
    real = cast.gql.result(DOCUMENTS[operation], token, **variables(cast, iid))
    fake = cast.gql.result(DOCUMENTS[operation], token, **variables(cast, random_id))
    assert str(real).replace(iid, random_id) == str(fake)


def test_propose(cast: Cast) -> None:
    seen = {}
    for role in ROLES:
        a = cast.gql.register(f"A {role}")
        b = cast.gql.register(f"B {role}")
        seen[role] = cast.outcome(role, PROPOSE, r=a, t=b, c="c")
    assert seen == {r: OK for r in ROLES[1:5]} | {
        "admin": "FORBIDDEN",
        "anonymous": "UNAUTHENTICATED",
    }


def test_admin_mutations(cast: Cast) -> None:
    for document, variables in (
        (REGISTER, {"name": "Someone"}),
        (ISSUE_TOKEN, {"id": cast.ids["outsider"]}),
    ):
        seen = {role: cast.outcome(role, document, **variables) for role in ROLES}
        assert seen == ADMIN_ONLY, document


def test_webhooks_are_the_admins_alone(cast: Cast) -> None:
    # registerWebhook: FORBIDDEN for persons; the admin gets past authorisation to the
    # URL check, which refuses a loopback address by default.
    seen = {role: cast.outcome(role, REGISTER_WEBHOOK) for role in ROLES}
    assert seen == {"admin": "BAD_USER_INPUT"} | {r: "FORBIDDEN" for r in ROLES[1:5]} | {
        "anonymous": "UNAUTHENTICATED"
    }
    seen = {role: cast.outcome(role, WEBHOOKS) for role in ROLES}
    assert seen == ADMIN_ONLY
    # The deliveries of an unknown webhook: NOT_FOUND for the admin, FORBIDDEN for others.
    seen = {role: cast.outcome(role, DELIVERIES, id=str(uuid.uuid4())) for role in ROLES}
    assert seen == ADMIN_ONLY | {"admin": "NOT_FOUND"}
    assert cast.gql.admin(WEBHOOKS) == {"webhooks": []}


def test_reading_an_introduction(cast: Cast) -> None:
    iid = cast.introduction("base")
    random_id = str(uuid.uuid4())
    for role in ROLES[:4]:
        token = cast.token(role)
        assert cast.gql.data(INTRODUCTION, token, id=iid)["introduction"]["id"] == iid
        assert cast.gql.data(INTRODUCTION_AT, token, id=iid, v=1)["introductionAt"]["version"] == 1
        assert len(cast.gql.data(HISTORY, token, id=iid)["introductionHistory"]) == 1
    outsider = cast.token("outsider")

    def answer(document: str, **variables: object) -> dict[str, object]:
        body = cast.gql.result(document, outsider, **variables)
        body.pop("extensions")  # the query's cost: the same whatever the id
        return body

    for some_id in (iid, random_id):
        assert answer(INTRODUCTION, id=some_id) == {"data": {"introduction": None}}
        assert answer(INTRODUCTION_AT, id=some_id, v=1) == {"data": {"introductionAt": None}}
        assert answer(HISTORY, id=some_id) == {"data": {"introductionHistory": []}}
    for document in (INTRODUCTION, INTRODUCTION_AT, HISTORY):
        assert cast.outcome("anonymous", document, id=iid) == "UNAUTHENTICATED"


def test_me(cast: Cast) -> None:
    assert cast.gql.admin(ME) == {"me": None}
    for role in ROLES[1:5]:
        assert cast.gql.data(ME, cast.token(role))["me"]["id"] == cast.ids[role]
    assert cast.outcome("anonymous", ME) == "UNAUTHENTICATED"


def test_read_models_are_for_every_authenticated_caller(cast: Cast) -> None:
    cast.introduction("base")
    introducer = cast.ids["introducer"]
    for role in ROLES[:5]:
        token = cast.token(role)
        rep = cast.gql.data(REPUTATION, token, id=introducer)["introducerReputation"]
        assert rep["proposed"] == 1
        assert cast.gql.data(LEADERBOARD, token, n=5)["leaderboard"] is not None
        record = cast.gql.data(TRACK_RECORD, token, id=cast.ids["requester"])["person"]
        assert record["trackRecord"]["introductionsAsParty"] == 1
    for document, variables in (
        (REPUTATION, {"id": introducer}),
        (LEADERBOARD, {"n": 5}),
        (TRACK_RECORD, {"id": introducer}),
        (INTRODUCTIONS, {}),
    ):
        assert cast.outcome("anonymous", document, **variables) == "UNAUTHENTICATED"


def test_lists_show_only_visible_introductions(cast: Cast) -> None:
    cast.introduction("base")
    for role in ROLES[:4]:
        page = cast.gql.data(INTRODUCTIONS, cast.token(role))["introductions"]
        assert page["totalCount"] == 1, role
    page = cast.gql.data(INTRODUCTIONS, cast.token("outsider"))["introductions"]
    assert page == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "totalCount": 0,
    }
    # filtering on someone else's introductions does not reveal them either
    f = {"introducerId": cast.ids["introducer"]}
    page = cast.gql.data(INTRODUCTIONS, cast.token("outsider"), f=f)["introductions"]
    assert page["totalCount"] == 0


PEOPLE = """{ people(first: 100) { edges { node { id displayName offers needs } } totalCount } }"""
MY_TOKENS = "{ myTokens { tokenId revoked } }"


def test_people_are_for_every_authenticated_caller_and_tokens_for_their_own(cast: Cast) -> None:
    everyone = sorted(cast.ids.values())
    for role in ROLES[:5]:
        people = cast.gql.data(PEOPLE, cast.token(role))["people"]
        assert sorted(e["node"]["id"] for e in people["edges"]) == everyone, role
        assert people["totalCount"] == len(everyone)
    seen = set()
    for role in ROLES[1:5]:
        tokens = cast.gql.data(MY_TOKENS, cast.token(role))["myTokens"]
        assert len(tokens) == 1, role  # their own, issued by register
        seen.add(tokens[0]["tokenId"])
    assert len(seen) == 4
    assert cast.gql.admin(MY_TOKENS)["myTokens"] == []
    assert cast.outcome("anonymous", PEOPLE) == "UNAUTHENTICATED"
    assert cast.outcome("anonymous", MY_TOKENS) == "UNAUTHENTICATED"


def test_health_needs_no_token(cast: Cast) -> None:
    for token in (None, "unknown-token", cast.token("admin"), cast.token("outsider")):
        body = cast.gql.result("{ health { ok storage lastPosition } }", token)
        assert body["data"]["health"]["ok"] is True
        assert "errors" not in body
    # ...but asking for anything else with it is still refused as a whole
    body = cast.gql.result("{ health { ok } me { id } }", None)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


WEBHOOK_CONTROLS = {
    "deactivateWebhook": """mutation($id: ID!) { deactivateWebhook(id: $id) {
        webhook { id } errors { code message } } }""",
    "reactivateWebhook": """mutation($id: ID!) { reactivateWebhook(id: $id) {
        webhook { id } errors { code message } } }""",
    "rotateWebhookSecret": """mutation($id: ID!) { rotateWebhookSecret(id: $id) {
        registration { secret } errors { code message } } }""",
    "replayWebhook": """mutation($id: ID!) {
        replayWebhook(webhookId: $id, since: "2020-01-01T00:00:00+00:00") {
        scheduled errors { code message } } }""",
    "redeliverWebhookDelivery": """mutation($id: ID!) { redeliverWebhookDelivery(id: $id) {
        delivery { id } errors { code message } } }""",
}


def test_webhook_controls_are_the_admins_alone(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """A person is FORBIDDEN from every control, on a real webhook as on a random id: the
    answer does not say whether the webhook exists."""
    monkeypatch.setenv("INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE", "1")
    assert cast.gql.admin(REGISTER_WEBHOOK)["registerWebhook"]["errors"] == []
    webhook = cast.gql.admin(WEBHOOKS)["webhooks"][0]["id"]
    random_id = str(uuid.uuid4())
    persons = {r: "FORBIDDEN" for r in ROLES[1:5]} | {"anonymous": "UNAUTHENTICATED"}
    for name, document in WEBHOOK_CONTROLS.items():
        for some_id in (webhook, random_id):
            seen = {role: cast.outcome(role, document, id=some_id) for role in ROLES[1:]}
            assert seen == persons, (name, some_id)
            answers = {
                str(cast.gql.result(document, cast.token(r), id=some_id)) for r in ROLES[1:5]
            }
            assert len(answers) == 1  # every person is told the same, whatever the id
    # The admin's own path, in an order every step allows.
    admin = {name: cast.outcome("admin", doc, id=webhook) for name, doc in WEBHOOK_CONTROLS.items()}
    assert admin == {
        "deactivateWebhook": OK,
        "reactivateWebhook": OK,
        "rotateWebhookSecret": OK,
        "replayWebhook": OK,
        "redeliverWebhookDelivery": "NOT_FOUND",  # a webhook id is no delivery id
    }


def test_revoke_token(cast: Cast) -> None:
    """The admin may revoke anyone's token, a person their own; to every other person a
    token is NOT_FOUND, as a random id is."""
    requester = cast.ids["requester"]
    seen = {}
    for role in ROLES:
        issued = cast.gql.admin(ISSUE, id=requester)["issueToken"]
        # the owner revokes with the very token being revoked
        token = issued["token"] if role == "requester" else cast.token(role)
        body = cast.gql.result(REVOKE, token, id=issued["tokenId"])
        if body.get("errors"):
            seen[role] = body["errors"][0]["extensions"]["code"]
        else:
            payload = body["data"]["revokeToken"]
            seen[role] = payload["errors"][0]["code"] if payload["errors"] else OK
            if role == "outsider":
                random_id = str(uuid.uuid4())
                fake = cast.gql.result(REVOKE, token, id=random_id)
                assert str(body).replace(issued["tokenId"], random_id) == str(fake)
    assert seen == {
        "admin": OK,
        "introducer": "NOT_FOUND",
        "requester": OK,
        "target": "NOT_FOUND",
        "outsider": "NOT_FOUND",
        "anonymous": "UNAUTHENTICATED",
    }


def _subscribed(client: TestClient, token: str | None, ids: dict[str, Any]) -> tuple[Any, Any]:
    ws, socket = _connect(client, token)
    assert socket.receive_json()["type"] == "connection_ack"
    for sub, introduction_id in ids.items():
        variables = {"id": introduction_id} if introduction_id else {}
        payload = {"query": SUBSCRIBE, "variables": variables}
        socket.send_json({"id": sub, "type": "subscribe", "payload": payload})
    return ws, socket


def test_subscriptions_deliver_only_what_each_role_may_see(
    cast: Cast, client: TestClient, services: Services
) -> None:
    """Each role subscribes to the introduction by id ("this"), to a random id ("random")
    and to everything ("all"). The introduction's events reach the admin, the introducer
    and both parties; the outsider gets nothing for it, exactly as for the random id: its
    first event is one of its own introduction, written afterwards."""
    iid = cast.introduction("base")
    ids = {"this": iid, "random": str(uuid.uuid4()), "all": None}
    sockets = {role: _subscribed(client, cast.token(role), ids) for role in ROLES[:5]}
    wait_for_subscriptions(services, 5 * len(ids))
    try:
        cast.gql.mutate(cast.ids["requester"], CONSENT, id=iid)
        outsider = cast.ids["outsider"]
        fresh = cast.gql.register("Fresh")
        own = cast.gql.mutate(outsider, PROPOSE, r=fresh, t=cast.ids["target"], c="mine")
        for role in ROLES[:4]:
            _, socket = sockets[role]
            got = [_next_message(socket) for _ in range(2)]
            assert sorted((sub, e["introductionId"], e["type"]) for sub, e in got) == sorted(
                [("this", iid, "ConsentGiven"), ("all", iid, "ConsentGiven")]
            ), role
        _, socket = sockets["outsider"]
        sub, event = _next_message(socket)
        assert (sub, event["introductionId"]) == ("all", own["introduction"]["id"])
    finally:
        for ws, _ in sockets.values():
            ws.__exit__(None, None, None)
    ws, socket = _connect(client, None)
    try:
        with pytest.raises(WebSocketDisconnect):
            socket.receive_json()
    finally:
        ws.__exit__(None, None, None)


def _next_message(socket: Any) -> tuple[str, dict[str, Any]]:
    while True:
        message = socket.receive_json()
        if message["type"] == "next":
            return message["id"], message["payload"]["data"]["introductionEvents"]
        assert message["type"] in {"ping", "pong"}, message


def test_assess_message_against_an_introduction_is_for_its_parties(cast: Cast) -> None:
    iid = cast.introduction("base")
    for role in ROLES:
        assert cast.outcome(role, ASSESS, text="Hello.", id=iid) == PARTY_ONLY[role], role
        alone = "UNAUTHENTICATED" if role == "anonymous" else OK
        assert cast.outcome(role, ASSESS, text="Hello.") == alone, role


def test_a_profile_is_updated_by_its_person_or_the_admin(cast: Cast) -> None:
    requester = cast.ids["requester"]
    expected = {r: "FORBIDDEN" for r in ROLES[1:5]} | {
        "admin": OK,
        "requester": OK,
        "anonymous": "UNAUTHENTICATED",
    }
    for role in ROLES:
        named = {"personId": requester, "displayName": f"Named by {role}"}
        assert cast.outcome(role, UPDATE_PROFILE, input=named) == expected[role], role
        mine = {"admin": "BAD_USER_INPUT", "anonymous": "UNAUTHENTICATED"}.get(role, OK)
        assert cast.outcome(role, UPDATE_PROFILE, input={"needs": [role]}) == mine, role


# Every operation of the schema, and the test above that runs it for every role.
COVERED = {
    "Query.health": test_health_needs_no_token,
    "Query.me": test_me,
    "Query.person": test_read_models_are_for_every_authenticated_caller,
    "Query.introduction": test_reading_an_introduction,
    "Query.introductionAt": test_reading_an_introduction,
    "Query.introductionHistory": test_reading_an_introduction,
    "Query.introductions": test_lists_show_only_visible_introductions,
    "Query.people": test_people_are_for_every_authenticated_caller_and_tokens_for_their_own,
    "Query.myTokens": test_people_are_for_every_authenticated_caller_and_tokens_for_their_own,
    "Query.introducerReputation": test_read_models_are_for_every_authenticated_caller,
    "Query.leaderboard": test_read_models_are_for_every_authenticated_caller,
    "Query.webhooks": test_webhooks_are_the_admins_alone,
    "Query.webhookDeliveries": test_webhooks_are_the_admins_alone,
    "Query.assessMessage": test_assess_message_against_an_introduction_is_for_its_parties,
    "Mutation.updateMyProfile": test_a_profile_is_updated_by_its_person_or_the_admin,
    "Mutation.forgetPerson": (
        forgetting.test_forgetting_is_idempotent_and_only_for_the_admin_or_the_person
    ),
    "Mutation.registerPerson": test_admin_mutations,
    "Mutation.issueToken": test_admin_mutations,
    "Mutation.revokeToken": test_revoke_token,
    "Mutation.proposeIntroduction": test_propose,
    **{f"Mutation.{name}": test_introduction_mutations for name in MUTATIONS},
    "Mutation.registerWebhook": test_webhooks_are_the_admins_alone,
    **{f"Mutation.{name}": test_webhook_controls_are_the_admins_alone for name in WEBHOOK_CONTROLS},
    "Subscription.introductionEvents": test_subscriptions_deliver_only_what_each_role_may_see,
    "Query.suggestedIntroductions": suggestions.test_needs_meet_offers_in_the_connectors_network,
    "Subscription.personEvents": (
        subscriptions.test_profile_updates_reach_those_who_share_an_introduction
    ),
}


def test_every_operation_has_its_authorisation_test() -> None:
    schema = parse_sdl(schema_sdl())
    operations = set()
    for root in ("Query", "Mutation", "Subscription"):
        root_type = schema.get_type(root)
        assert isinstance(root_type, GraphQLObjectType)
        operations |= {f"{root}.{name}" for name in root_type.fields}
    assert operations == set(COVERED)
