"""Retries with an idempotencyKey against the real service (on PostgreSQL, two serve
processes): a client that gave up waiting retries and gets the write it never saw; many
retries racing at once write once and all get the same answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.graphql_client import GraphQL
from tests.api.test_idempotency import REPLY_ONCE, consented, event_types, payload
from tests.e2e.conftest import ADMIN_TOKEN, Server
from tests.processes import run_in_threads


def test_a_retry_after_a_timeout_gets_the_write_it_never_saw(
    server: Server, http: httpx.Client
) -> None:
    gql = GraphQL(http, ADMIN_TOKEN)
    people, introduction_id = consented(gql)
    jim = gql.tokens[people["Jim"]]
    variables = {"id": introduction_id, "m": "Hello", "key": "reply-after-timeout"}

    impatient = httpx.Timeout(30, read=0.001)  # gives up before any answer can come
    with (
        httpx.Client(base_url=server.url, timeout=impatient) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        GraphQL(client, ADMIN_TOKEN).result(REPLY_ONCE, jim, **variables)
    retried = payload(gql.result(REPLY_ONCE, jim, **variables))
    again = payload(gql.result(REPLY_ONCE, jim, **variables))

    assert retried["errors"] == []
    assert again == retried
    assert event_types(gql, people["Jim"], introduction_id) == [
        "IntroductionProposed",
        "ConsentGiven",
        "ConsentGiven",
        "ReplyRecorded",
    ]
    assert retried["introduction"]["version"] == 4


def test_racing_retries_write_once_and_all_get_the_same_answer(
    server: Server, http: httpx.Client
) -> None:
    gql = GraphQL(http, ADMIN_TOKEN)
    people, introduction_id = consented(gql)
    jim = gql.tokens[people["Jim"]]

    def retry() -> dict[str, Any]:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            body = GraphQL(client, ADMIN_TOKEN).result(
                REPLY_ONCE, jim, id=introduction_id, m="Hi", key="racing-retries"
            )
        return payload(body)

    answers = run_in_threads(retry, threads=8)

    assert all(a == answers[0] for a in answers), answers
    assert answers[0]["errors"] == []
    assert event_types(gql, people["Jim"], introduction_id).count("ReplyRecorded") == 1
