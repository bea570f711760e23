"""introductionEvents over graphql-transport-ws: live, visible events only, with the same
event ids as the history; the connection authenticates in connection_init."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.services import Services
from domain.chain import event_id
from tests.api.conftest import wait_for_subscriptions
from tests.api.graphql_client import CONSENT, PROPOSE, SUBSCRIBE, GraphQL

PROTOCOL = ["graphql-transport-ws"]


def _connect(client: TestClient, token: str | None) -> Any:
    ws = client.websocket_connect("/graphql", subprotocols=PROTOCOL)
    socket = ws.__enter__()
    payload = {"authorization": f"Bearer {token}"} if token else {}
    socket.send_json({"type": "connection_init", "payload": payload})
    return ws, socket


def _next_event(socket: Any) -> dict[str, Any]:
    while True:
        message = socket.receive_json()
        if message["type"] == "next":
            return message["payload"]
        assert message["type"] in {"ping", "pong"}, message


def test_subscriber_receives_events_written_by_another_client(
    client: TestClient, gql: GraphQL, services: Services
) -> None:
    jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
    outsider = gql.register("Outsider")
    other = gql.register("Other")
    iid = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]

    ws, socket = _connect(client, gql.tokens[jason])
    out_ws, out_socket = _connect(client, gql.tokens[outsider])
    try:
        assert socket.receive_json()["type"] == "connection_ack"
        assert out_socket.receive_json()["type"] == "connection_ack"
        socket.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"id": iid}},
            }
        )
        out_socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        wait_for_subscriptions(services, 2)
        # Another client writes: Jim consents.
        gql.mutate(jim, CONSENT, id=iid)
        event = _next_event(socket)["data"]["introductionEvents"]
        assert event["type"] == "ConsentGiven"
        assert event["version"] == 2
        assert event["actorId"] == jim
        assert event["id"] == str(event_id(iid, 2))
        # The outsider saw none of that: its first event is of its own introduction.
        own = gql.mutate(outsider, PROPOSE, r=other, t=john, c="mine")["introduction"]["id"]
        seen = _next_event(out_socket)["data"]["introductionEvents"]
        assert seen["introductionId"] == own
        assert seen["type"] == "IntroductionProposed"
        # camelCase, as in the history and in webhook bodies
        assert seen["data"]["introducerId"] == outsider
        assert seen["data"]["requesterId"] == other
        socket.send_json({"id": "1", "type": "complete"})
    finally:
        ws.__exit__(None, None, None)
        out_ws.__exit__(None, None, None)


@pytest.mark.parametrize("token", [None, "unknown-token"])
def test_connection_without_a_valid_token_is_refused(client: TestClient, token: str | None) -> None:
    ws, socket = _connect(client, token)
    try:
        with pytest.raises(WebSocketDisconnect) as refused:
            socket.receive_json()
        assert refused.value.code == 4403
    finally:
        ws.__exit__(None, None, None)


PERSON_EVENTS = """subscription($person: ID) {
  personEvents(personId: $person) { id personId version type actorId data } }"""


def test_profile_updates_reach_those_who_share_an_introduction(
    client: TestClient, gql: GraphQL
) -> None:
    from tests.api.test_profiles import UPDATE

    jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
    outsider = gql.register("Outsider")
    iid = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]
    sockets = {who: _connect(client, gql.tokens[who]) for who in (john, outsider, jason)}
    try:
        for _, socket in sockets.values():
            assert socket.receive_json()["type"] == "connection_ack"
        for who in (john, outsider):
            sockets[who][1].send_json(
                {"id": "1", "type": "subscribe", "payload": {"query": PERSON_EVENTS}}
            )
        sockets[jason][1].send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {}}}
        )
        gql.mutate(jim, UPDATE, input={"needs": ["marketing job leads"]})
        seen = _next_event(sockets[john][1])["data"]["personEvents"]
        assert seen["type"] == "PersonProfileUpdated"
        assert (seen["personId"], seen["version"], seen["actorId"]) == (jim, 2, jim)
        assert seen["id"] == str(event_id(jim, 2))
        assert seen["data"]["needs"] == ["marketing job leads"]
        assert seen["data"]["displayName"] == "Jim"
        # The outsider shares no introduction with Jim: its first event is its own update.
        gql.mutate(outsider, UPDATE, input={"organization": "Elsewhere"})
        own = _next_event(sockets[outsider][1])["data"]["personEvents"]
        assert (own["personId"], own["data"]["organization"]) == (outsider, "Elsewhere")
        # introductionEvents carries introduction events only.
        gql.mutate(jim, CONSENT, id=iid)
        first = _next_event(sockets[jason][1])["data"]["introductionEvents"]
        assert (first["type"], first["introductionId"]) == ("ConsentGiven", iid)
    finally:
        for ws, _ in sockets.values():
            ws.__exit__(None, None, None)
