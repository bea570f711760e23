"""The rate limit through a real `serve` cannot be escaped: not by a made-up
X-Forwarded-For (proxy headers are trusted only from INTRODUCTIONS_TRUSTED_PROXIES), not
by a new made-up bearer token per request (a token that fails authentication counts
against the client address), not by a websocket (its operations count like requests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.api.graphql_client import ME, GraphQL
from tests.e2e.conftest import Server, serving
from tests.e2e.test_open_sockets import Socket
from tests.e2e.test_production import NEW_ADMIN, production, sqlite_url

LIMIT = 3


@contextmanager
def limited(tmp_path: Path, **extra: str) -> Iterator[tuple[Server, httpx.Client]]:
    """A production `serve` allowing LIMIT requests a minute, and a client of it."""
    env = production(INTRODUCTIONS_RATE_LIMIT=f"{LIMIT}/minute", **extra)
    with (
        serving(tmp_path, sqlite_url(tmp_path), **env) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield server, http


def statuses(http: httpx.Client, headers: list[dict[str, str]]) -> list[int]:
    return [http.post("/graphql", json={"query": ME}, headers=h).status_code for h in headers]


def test_forwarded_addresses_count_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    forwarded = [{"X-Forwarded-For": f"203.0.113.{i}"} for i in range(LIMIT + 2)]
    with limited(tmp_path) as (_, http):
        # 127.0.0.1 is not a trusted proxy by default: every request is 127.0.0.1's
        assert statuses(http, forwarded) == [200] * LIMIT + [429] * 2
    with limited(tmp_path, INTRODUCTIONS_TRUSTED_PROXIES="127.0.0.1") as (_, http):
        assert statuses(http, forwarded) == [200] * (LIMIT + 2)  # one client each


def test_made_up_tokens_share_their_client_address_budget(tmp_path: Path) -> None:
    made_up = [{"Authorization": f"Bearer made-up-{i}"} for i in range(LIMIT + 2)]
    with limited(tmp_path) as (_, http):
        assert statuses(http, made_up) == [200] * LIMIT + [429] * 2
        assert statuses(http, [{}]) == [429]  # the same address, without a token
        gql = GraphQL(http, NEW_ADMIN)
        assert gql.raw(ME, NEW_ADMIN).status_code == 200  # a real token has its own budget


def test_operations_on_a_socket_count_like_requests(tmp_path: Path) -> None:
    with limited(tmp_path) as (server, http):
        gql = GraphQL(http, NEW_ADMIN)
        assert gql.raw(ME, NEW_ADMIN).status_code == 200
        socket = Socket(server, NEW_ADMIN)
        try:
            answers = []
            for i in range(LIMIT):
                socket.operate(str(i), ME)
                answers.append(socket.next_message())
            assert [a["type"] for a in answers] == ["next"] * (LIMIT - 1) + ["error"]
            refused = answers[-1]["payload"][0]
            assert refused["extensions"]["code"] == "RATE_LIMITED"
            assert "retry in" in refused["message"]
        finally:
            socket.close()
        assert gql.raw(ME, NEW_ADMIN).status_code == 429  # one budget for both
