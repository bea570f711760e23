"""Revoking a token with several API processes (PostgreSQL, serve --workers 2): every
process has seen and cached the token; after the revocation, no process accepts it once
the token cache's lifetime has passed, and with the cache off none accepts it at all."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.api.graphql_client import ME, GraphQL
from tests.api.test_token_lifecycle import ISSUE, REVOKE
from tests.e2e.conftest import ADMIN_TOKEN, serving

REQUESTS = 40  # enough for the kernel to hand some to each of the two processes


def answers(gql: GraphQL, token: str) -> set[str]:
    seen = set()
    for _ in range(REQUESTS):
        body = gql.result(ME, token)
        seen.add(body["errors"][0]["extensions"]["code"] if body.get("errors") else "OK")
    return seen


@pytest.mark.postgres
@pytest.mark.parametrize("cache_seconds", [0, 2])
def test_a_revoked_token_stops_in_every_process(
    tmp_path: Path, postgres_url: str, cache_seconds: int
) -> None:
    env = {
        "INTRODUCTIONS_ADMIN_TOKEN": ADMIN_TOKEN,
        "INTRODUCTIONS_TOKEN_CACHE_SECONDS": str(cache_seconds),
    }
    with (
        serving(tmp_path, postgres_url, "--workers", "2", **env) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        gql = GraphQL(http, ADMIN_TOKEN)
        jim = gql.register("Jim")
        issued = gql.admin(ISSUE, id=jim)["issueToken"]
        assert answers(gql, issued["token"]) == {"OK"}  # every process has it cached now
        assert gql.admin(REVOKE, id=issued["tokenId"])["revokeToken"]["revoked"] is True
        time.sleep(cache_seconds)  # the documented bound, when there is a cache
        assert answers(gql, issued["token"]) == {"UNAUTHENTICATED"}
        assert answers(gql, gql.tokens[jim]) == {"OK"}
