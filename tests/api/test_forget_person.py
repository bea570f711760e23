"""forgetPerson: the seed story's Jim is forgotten. His name and the free text of his
introduction read as erased everywhere (history included), the chains still verify, his
tokens stop, the record's counts stay; on SQLite no byte of it is left in the file or
its write-ahead log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.services import Services
from domain.audit import verify_log
from storage.database import Storage
from tests.api.conftest import wait_for_subscriptions
from tests.api.graphql_client import (
    HISTORY,
    ISSUE_TOKEN,
    ME,
    REPUTATION,
    TRACK_RECORD,
    GraphQL,
    seed_story,
)

FORGET = """mutation($id: ID!, $key: String) { forgetPerson(personId: $id, idempotencyKey: $key) {
  personId errors { code message field } } }"""
PERSON = "query($id: ID!) { person(id: $id) { displayName organization offers needs } }"
JIMS_MESSAGE = "Dear John, what do you have for me?"
BURN_NOTE = "One more 'what can you do for me' e-mail."


def forget(gql: GraphQL, person_id: str, token: str | None = None) -> dict[str, Any]:
    payload = gql.data(FORGET, token or gql.admin_token, id=person_id)["forgetPerson"]
    assert isinstance(payload, dict)
    return payload


def test_forgetting_jim_erases_his_data_and_keeps_the_record(
    gql: GraphQL, services: Services, storage: Storage
) -> None:
    ids = seed_story(gql)
    jason_before = gql.as_(ids["john"], REPUTATION, id=ids["jason"])["introducerReputation"]
    jim_token = gql.tokens[ids["jim"]]

    assert forget(gql, ids["jim"]) == {"personId": ids["jim"], "errors": []}

    jim = gql.admin(PERSON, id=ids["jim"])["person"]
    assert jim == {
        "displayName": "Forgotten person",
        "organization": None,
        "offers": [],
        "needs": [],
    }
    history = gql.admin(HISTORY, id=ids["burned"])["introductionHistory"]
    by_type = {e["type"]: e["data"] for e in history}
    assert by_type["ReplyRecorded"] == {"message": None, "erased": True}
    assert by_type["IntroductionBurned"]["note"] is None
    assert by_type["IntroductionBurned"]["erased"] is True
    assert by_type["IntroductionBurned"]["reason"] == "TRANSACTIONAL_ASK"
    assert by_type["IntroductionProposed"]["context"] is None
    # The other introduction, without Jim, is untouched.
    formed = gql.admin(HISTORY, id=ids["formed"])["introductionHistory"]
    assert formed[3]["data"] == {"message": "Coffee next week?"}

    assert verify_log(services.app).ok
    jason_after = gql.as_(ids["john"], REPUTATION, id=ids["jason"])["introducerReputation"]
    assert abs(jason_after.pop("score") - jason_before.pop("score")) < 1e-3  # it decays
    jason_after.pop("rankingScore"), jason_before.pop("rankingScore")
    assert jason_after == jason_before  # the counts stay
    record = gql.as_(ids["john"], TRACK_RECORD, id=ids["jim"])["person"]["trackRecord"]
    assert (record["burnsBlamed"], record["repliesSent"]) == (1, 1)

    assert gql.result(ME, jim_token).get("errors")  # his token stopped at once
    issued = gql.admin(ISSUE_TOKEN, id=ids["jim"])["issueToken"]
    assert issued["token"] is None
    assert issued["errors"][0]["code"] == "BAD_USER_INPUT"

    if storage.kind == "sqlite":
        assert storage.sqlite_path is not None
        for path in (Path(storage.sqlite_path), Path(storage.sqlite_path + "-wal")):
            content = path.read_bytes() if path.exists() else b""
            for text in ("Jim", "jim", JIMS_MESSAGE, BURN_NOTE):
                assert text.encode() not in content, f"{text!r} is still in {path.name}"


def test_forgetting_is_idempotent_and_only_for_the_admin_or_the_person(
    gql: GraphQL, services: Services
) -> None:
    ids = seed_story(gql)
    refused = forget(gql, ids["jim"], gql.tokens[ids["jason"]])
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    assert gql.admin(PERSON, id=ids["jim"])["person"]["displayName"] == "Jim"

    assert forget(gql, ids["jim"], gql.tokens[ids["jim"]])["errors"] == []  # himself
    position = services.app.recorder.max_notification_id()
    assert forget(gql, ids["jim"])["errors"] == []  # again: nothing more is written
    assert services.app.recorder.max_notification_id() == position
    assert verify_log(services.app).ok


def test_subscribers_receive_person_forgotten(
    client: TestClient, gql: GraphQL, services: Services
) -> None:
    from tests.api.test_subscriptions import PERSON_EVENTS, _connect, _next_event

    ids = seed_story(gql)
    ws, socket = _connect(client, gql.tokens[ids["john"]])  # shares an introduction with Jim
    try:
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": PERSON_EVENTS}})
        wait_for_subscriptions(services, 1)
        assert forget(gql, ids["jim"])["errors"] == []
        seen = _next_event(socket)["data"]["personEvents"]
        assert (seen["type"], seen["personId"], seen["actorId"]) == (
            "PersonForgotten",
            ids["jim"],
            "admin",
        )
        assert seen["data"] == {}  # no personal data in it
    finally:
        ws.__exit__(None, None, None)
