"""End to end, over real HTTP and websockets against `introductions serve`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from domain.chain import event_id
from tests.api.graphql_client import (
    BURN,
    CONSENT,
    FORMED,
    INTRODUCTION,
    PROPOSE,
    REGISTER,
    REPLY,
    SUBSCRIBE,
    GraphQL,
    check_seed_story,
    seed_story,
)
from tests.e2e.conftest import (
    ADMIN_TOKEN,
    Server,
    cli,
    free_port,
    service_env,
    start,
    stop,
    wait_healthy,
)


def test_seed_story(http: httpx.Client) -> None:
    gql = GraphQL(http, ADMIN_TOKEN)
    ids = seed_story(gql)
    check_seed_story(gql, ids)


def test_every_error_code(http: httpx.Client) -> None:
    gql = GraphQL(http, ADMIN_TOKEN)
    jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
    iid = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]
    t = gql.tokens

    def code(token: str, query: str, **variables: Any) -> str:
        body = gql.result(query, token, **variables)
        if body.get("errors"):
            return str(body["errors"][0]["extensions"]["code"])
        return str(next(iter(body["data"].values()))["errors"][0]["code"])

    assert code(t[jason], PROPOSE, r=jim, t=jim, c="c") == "BAD_USER_INPUT"
    assert code(t[jim], CONSENT, id="8a4b1e2c-0000-4000-8000-000000000000") == "NOT_FOUND"
    assert code(t[jim], REPLY, id=iid) == "INVALID_TRANSITION"
    assert code(t[jim], CONSENT, id=iid, v=3) == "CONCURRENCY_CONFLICT"
    assert code(t[jason], CONSENT, id=iid) == "FORBIDDEN"
    assert code(t[jim], REGISTER, name="x") == "FORBIDDEN"
    assert code("not-a-token", INTRODUCTION, id=iid) == "UNAUTHENTICATED"
    assert code(t[jim], BURN, id=iid, blamed=jim, reason="NOT_A_REASON") == "BAD_USER_INPUT"


def test_subscription_receives_an_event_written_by_another_client(
    server: Server, http: httpx.Client
) -> None:
    gql = GraphQL(http, ADMIN_TOKEN)
    kent, alice, bob = gql.register("Kent"), gql.register("Alice"), gql.register("Bob")
    iid = gql.mutate(kent, PROPOSE, r=alice, t=bob, c="c")["introduction"]["id"]
    url = server.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:  # type: ignore[list-item]
        ws.send(
            json.dumps(
                {
                    "type": "connection_init",
                    "payload": {"authorization": f"Bearer {gql.tokens[kent]}"},
                }
            )
        )
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        ws.send(
            json.dumps(
                {
                    "id": "s1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"by": kent}},
                }
            )
        )
        received: list[dict[str, Any]] = []

        def listen() -> None:
            while len(received) < 2:
                message = json.loads(ws.recv(timeout=20))
                if message["type"] == "next":
                    received.append(message["payload"]["data"]["introductionEvents"])

        listener = threading.Thread(target=listen)
        listener.start()
        # Other clients (Alice, then Bob, each with their own token and connection) write.
        with httpx.Client(base_url=server.url, timeout=30) as other:
            other_gql = GraphQL(other, ADMIN_TOKEN, dict(gql.tokens))
            other_gql.mutate(alice, CONSENT, id=iid)
            other_gql.mutate(bob, CONSENT, id=iid)
        listener.join(timeout=25)
        assert [(e["type"], e["version"], e["actorId"]) for e in received] == [
            ("ConsentGiven", 2, alice),
            ("ConsentGiven", 3, bob),
        ]
        assert [e["id"] for e in received] == [str(event_id(iid, 2)), str(event_id(iid, 3))]
        # the same ids as the history
        history = gql.as_(kent, "query($id: ID!) { introductionHistory(id: $id) { id } }", id=iid)
        assert [e["id"] for e in history["introductionHistory"]][1:3] == [e["id"] for e in received]
    gql.mutate(alice, REPLY, id=iid)
    gql.mutate(kent, FORMED, id=iid)


HOSTILE: list[tuple[bytes, dict[str, str]]] = [
    (b"", {"content-type": "application/json"}),
    (b"{not json", {"content-type": "application/json"}),
    (b"12", {"content-type": "application/json"}),
    (b'{"query": ["a"]}', {"content-type": "application/json"}),
    (b'{"query": "{ introduction(id: 12) { id } }"}', {"content-type": "application/json"}),
    (
        b'{"query": "query($i: ID!) { introduction(id: $i) { id } }", "variables": {"i": [1]}}',
        {"content-type": "application/json"},
    ),
    (
        json.dumps({"query": "{ health { ok } }", "variables": {"x": "y" * 900_000}}).encode(),
        {"content-type": "application/json"},
    ),
    (
        json.dumps({"query": "{" + "health { ok } " * 5000 + "}"}).encode(),
        {"content-type": "application/json"},
    ),
    (b"x" * (2 * 1024 * 1024), {"content-type": "application/json"}),
    (b"<xml/>", {"content-type": "application/xml"}),
]


def test_hostile_requests_never_5xx(http: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for body, headers in HOSTILE:
        response = http.post("/graphql", content=body, headers={**auth, **headers})
        assert response.status_code < 500, (body[:80], response.status_code, response.text)
        assert "Traceback" not in response.text
    gql = GraphQL(http, ADMIN_TOKEN)
    too_long = gql.result(REGISTER, ADMIN_TOKEN, name="n" * 100_000)
    assert too_long["data"]["registerPerson"]["errors"][0]["code"] == "BAD_USER_INPUT"
    assert http.get("/healthz").status_code == 200
    assert gql.data("{ health { ok } }")["health"]["ok"] is True
    assert http.get("/readyz").status_code == 200
    assert "introductions_projection_lag_events" in http.get("/metrics").text


def test_serve_generates_an_admin_token_file(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    env = service_env(f"sqlite:///{tmp_path / 'db.sqlite'}")
    process = start(cli("serve", "--port", str(port)), env, log)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_healthy(server)
        token_file = tmp_path / "db.sqlite.admin-token"
        assert str(token_file) in server.output()
        assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
        token = token_file.read_text().strip()
        assert token not in server.output()
        gql = GraphQL(httpx.Client(base_url=server.url), token)
        assert gql.admin("{ me { id } }") == {"me": None}
    finally:
        stop(process)


@pytest.mark.parametrize("args", [["export-schema"]])
def test_export_schema_prints_the_committed_schema(args: list[str]) -> None:
    from tests.e2e.conftest import REPO

    done = subprocess.run(
        cli(*args),
        capture_output=True,
        text=True,
        timeout=60,
        env=service_env("sqlite:///:memory:"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (REPO / "schema.graphql").read_text()


def test_racing_writers_and_concurrent_load(server: Server, http: httpx.Client) -> None:
    """Two parties consenting to the same version at once: exactly one wins. Then a burst
    of concurrent writes and reads: every one answered, none with a 5xx."""
    from concurrent.futures import ThreadPoolExecutor

    gql = GraphQL(http, ADMIN_TOKEN)
    jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
    iid = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]

    def consent(person: str) -> list[dict[str, Any]]:
        with httpx.Client(base_url=server.url, timeout=30) as own:
            body = GraphQL(own, ADMIN_TOKEN, gql.tokens).as_(person, CONSENT, id=iid, v=1)
        return list(body["consentToIntroduction"]["errors"])

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(consent, [jim, john]))
    codes = sorted(e[0]["code"] if e else "OK" for e in results)
    assert codes == ["CONCURRENCY_CONFLICT", "OK"]
    assert gql.as_(jason, INTRODUCTION, id=iid)["introduction"]["version"] == 2

    def burst(i: int) -> int:
        with httpx.Client(base_url=server.url, timeout=60) as own:
            g = GraphQL(own, ADMIN_TOKEN, gql.tokens)
            if i % 2:
                r = g.raw(REGISTER, ADMIN_TOKEN, name=f"P{i}")
            else:
                r = g.raw(
                    "query($id: ID!) { introducerReputation(introducerId: $id) { proposed } }",
                    gql.tokens[jim],
                    id=jason,
                )
            return r.status_code

    with ThreadPoolExecutor(24) as pool:
        statuses = list(pool.map(burst, range(96)))
    assert set(statuses) == {200}


def test_metrics_count_every_request_whichever_worker_answers(http: httpx.Client) -> None:
    import re

    for _ in range(30):
        assert http.post("/graphql", json={"query": "{ health { ok } }"}).status_code == 200
    text = http.get("/metrics").text
    counted = sum(
        float(m.group(1))
        for m in re.finditer(
            r'^introductions_http_requests_total\{[^}]*route="/graphql"[^}]*\} ([\d.e+]+)$',
            text,
            re.M,
        )
    )
    assert counted >= 30, text
