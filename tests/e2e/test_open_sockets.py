"""Open websockets through a real `serve`: a token revoked or expired while its socket is
open is refused on that socket, its running subscriptions deliver nothing more, and the
socket is closed with 4403: at once in the process that revoked it, within the token
cache's lifetime in the others (PostgreSQL, two API processes)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.api.graphql_client import CONSENT, ME, PROPOSE, SUBSCRIBE, GraphQL
from tests.api.test_token_lifecycle import REVOKE, issue
from tests.e2e.conftest import ADMIN_TOKEN, Server, cli, service_env, serving, start, stop

SOCKETS = 4  # enough for the kernel to hand some to each of two processes


class Socket:
    """A graphql-transport-ws client, authenticated in connection_init."""

    def __init__(self, server: Server, token: str) -> None:
        url = server.url.replace("http://", "ws://") + "/graphql"
        self.ws: ClientConnection = connect(
            url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            open_timeout=10,
        )
        self.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        assert json.loads(self.ws.recv(timeout=10))["type"] == "connection_ack"

    def send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionClosed):  # closed by the server: until_closed says why
            self.ws.send(json.dumps(message))

    def operate(self, id: str, query: str, **variables: Any) -> None:
        self.send(
            {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )

    def next_message(self, timeout: float = 10) -> dict[str, Any]:
        """The next `next` or `error`."""
        while True:
            message = json.loads(self.ws.recv(timeout=timeout))
            if message["type"] in {"next", "error"}:
                return dict(message)

    def until_closed(self, timeout: float) -> tuple[list[dict[str, Any]], int | None]:
        """Every message until the server closes the socket, and the close code."""
        received = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                received.append(json.loads(self.ws.recv(timeout=deadline - time.monotonic())))
        except ConnectionClosed as closed:
            return received, closed.rcvd.code if closed.rcvd else None
        except TimeoutError:
            return received, None

    def close(self) -> None:
        self.ws.close()


def data_of(messages: list[dict[str, Any]]) -> list[Any]:
    """The results and events among the messages (an error carries no data)."""
    payloads = [m["payload"] for m in messages if m["type"] == "next"]
    return [p["data"] for p in payloads if p.get("data") is not None]


@dataclass
class Served:
    server: Server
    http: httpx.Client
    # How long after a revocation every process refuses the token: at once with one
    # process; else the token cache's lifetime (and the second a socket waits between
    # two checks).
    bound: float


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """`serve` on SQLite (one process), or two `serve` workers on PostgreSQL with a
    worker beside them and a 2 s token cache."""
    if request.param == "sqlite":
        url, args, cache, bound = f"sqlite:///{tmp_path / 'introductions.db'}", [], 5, 0.0
        background = None
    else:
        url, args, cache = request.getfixturevalue("postgres_url"), ["--workers", "2"], 2
        bound = cache + 1.0
        background = start(cli("worker"), service_env(url), tmp_path / "worker.log")
    env = {
        "INTRODUCTIONS_ADMIN_TOKEN": ADMIN_TOKEN,
        "INTRODUCTIONS_TOKEN_CACHE_SECONDS": str(cache),
    }
    try:
        with (
            serving(tmp_path, url, *args, **env) as server,
            httpx.Client(base_url=server.url, timeout=30) as http,
        ):
            yield Served(server, http, bound)
    finally:
        if background is not None:
            stop(background)


def test_a_revoked_token_is_refused_and_its_open_sockets_closed_4403(
    served: Served,
) -> None:
    server = served.server
    gql = GraphQL(served.http, ADMIN_TOKEN)
    jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
    issued = issue(gql, jim)
    sockets = [Socket(server, issued["token"]) for _ in range(SOCKETS)]
    try:
        for socket in sockets:
            socket.operate("events", SUBSCRIBE)
            socket.operate("me", ME)
            assert socket.next_message()["payload"]["data"]["me"]["id"] == jim
        iid = gql.mutate(jason, PROPOSE, r=jim, t=john, c="before")["introduction"]["id"]
        for socket in sockets:  # the running subscriptions deliver while the token is valid
            event = socket.next_message()
            assert event["id"] == "events", event
            assert event["payload"]["data"]["introductionEvents"]["introductionId"] == iid

        revoked_at = time.monotonic()
        assert gql.admin(REVOKE, id=issued["tokenId"])["revokeToken"]["revoked"] is True
        time.sleep(served.bound)  # another process may accept the token until then
        for socket in sockets:
            socket.operate("me-again", ME)
            socket.operate("propose", PROPOSE, r=john, t=jason, c="after")
        gql.mutate(john, CONSENT, id=iid)  # an event the subscriptions may no longer deliver

        for socket in sockets:
            received, code = socket.until_closed(timeout=served.bound + 5)
            assert data_of(received) == [], received
            assert code == 4403, received
        assert time.monotonic() - revoked_at < served.bound + 1.5
        introductions = "{ introductions(first: 10) { totalCount } }"
        assert gql.admin(introductions)["introductions"]["totalCount"] == 1  # no "after"
        with pytest.raises(ConnectionClosed):  # a new socket with the token is refused too
            Socket(server, issued["token"])
    finally:
        for socket in sockets:
            socket.close()


def test_an_expired_token_closes_its_open_socket_4403(
    served: Served,
) -> None:
    server = served.server
    gql = GraphQL(served.http, ADMIN_TOKEN)
    jim = gql.register("Jim")
    issued = issue(gql, jim, ttl=3)
    socket = Socket(server, issued["token"])
    try:
        socket.operate("events", SUBSCRIBE)
        received, code = socket.until_closed(timeout=3 + served.bound + 5)
        assert code == 4403, received
        assert data_of(received) == []
    finally:
        socket.close()
