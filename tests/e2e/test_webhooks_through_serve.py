"""Webhooks end to end: an endpoint registered over GraphQL receives every introduction
event, signed so that the reference standardwebhooks package verifies it: from `serve` on
SQLite (its dispatcher runs in the same process), and on PostgreSQL from
`introductions worker` beside two API processes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.api.graphql_client import CONSENT, PROPOSE, GraphQL
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
from tests.webhooks.receiver import Receiver

REGISTER = """mutation($url: String!, $types: [String!]) {
  registerWebhook(input: {url: $url, eventTypes: $types}) {
    registration { secret webhook { id url eventTypes active } } errors { code message } } }"""
WEBHOOKS = "{ webhooks { id url eventTypes active createdAt } }"
DELIVERIES = """query($id: ID!) { webhookDeliveries(webhookId: $id) {
  id webhookId eventId eventType status attempts lastStatusCode deliveredAt } }"""
DEACTIVATE = """mutation($id: ID!) { deactivateWebhook(id: $id, reason: "maintenance") {
  webhook { active } errors { code } } }"""
REACTIVATE = (
    "mutation($id: ID!) { reactivateWebhook(id: $id) { webhook { active } errors { code } } }"
)
REDELIVER = """mutation($id: ID!) { redeliverWebhookDelivery(id: $id) {
  delivery { id status } errors { code } } }"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def webhook_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    args = cli("serve", "--port", str(port))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'introductions.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        args += ["--workers", "2"]
    env = service_env(
        url,
        INTRODUCTIONS_ADMIN_TOKEN=ADMIN_TOKEN,
        INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE="1",  # the receiver is on 127.0.0.1
        INTRODUCTIONS_WEBHOOK_RETRY_SCHEDULE="0.2s,0.5s,1s",
    )
    processes = []
    metrics_url = f"http://127.0.0.1:{port}/metrics"
    if request.param == "postgres":
        metrics_port = free_port()
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"  # the worker's own
        worker = cli("worker", "--metrics-port", str(metrics_port))
        processes.append(start(worker, env, tmp_path / "worker.log"))
    processes.append(start(args, env, tmp_path / "serve.log"))
    server = Server(f"http://127.0.0.1:{port}", processes[-1], tmp_path / "serve.log")
    server.metrics_url = metrics_url  # type: ignore[attr-defined]
    try:
        wait_healthy(server)
        yield server
    finally:
        for process in reversed(processes):
            stop(process)


def test_registered_endpoint_receives_signed_events(webhook_server: Server) -> None:
    receiver = Receiver()
    try:
        with httpx.Client(base_url=webhook_server.url, timeout=30) as http:
            gql = GraphQL(http, ADMIN_TOKEN)
            payload = gql.admin(REGISTER, url=receiver.url, types=None)["registerWebhook"]
            assert payload["errors"] == []
            registration = payload["registration"]
            secret, hook = registration["secret"], registration["webhook"]
            assert secret.startswith("whsec_")
            listed = gql.admin(WEBHOOKS)["webhooks"]
            assert [w["id"] for w in listed] == [hook["id"]]
            assert secret not in json.dumps(listed)

            jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
            iid = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]
            gql.mutate(jim, CONSENT, id=iid)

            receiver.wait_for(lambda: len(receiver.ids()) == 2, timeout=20)
            bodies = []
            for request in receiver.requests:
                bodies.append(Webhook(secret).verify(request.body, request.headers))
            assert sorted(b["type"] for b in bodies) == ["ConsentGiven", "IntroductionProposed"]
            assert {b["data"]["introductionId"] for b in bodies} == {iid}
            history = gql.admin("query($id: ID!) { introductionHistory(id: $id) { id } }", id=iid)[
                "introductionHistory"
            ]
            assert receiver.ids() == {e["id"] for e in history}  # webhook-id = event id

            deliveries = gql.admin(DELIVERIES, id=hook["id"])["webhookDeliveries"]
            metrics = httpx.get(webhook_server.metrics_url).text  # type: ignore[attr-defined]
            assert 'introductions_webhook_deliveries_total{outcome="succeeded"} 2.0' in metrics
            assert "introductions_webhook_backlog" in metrics
            assert sorted(d["status"] for d in deliveries) == ["SUCCEEDED", "SUCCEEDED"]
            assert all(d["lastStatusCode"] == 204 and d["attempts"] == 1 for d in deliveries)

            redelivered = gql.admin(REDELIVER, id=deliveries[0]["id"])
            assert redelivered["redeliverWebhookDelivery"]["errors"] == []
            receiver.wait_for(lambda: len(receiver.requests) == 3, timeout=20)
            assert receiver.requests[-1].webhook_id == deliveries[0]["eventId"]

            off = gql.admin(DEACTIVATE, id=hook["id"])["deactivateWebhook"]
            assert off == {"webhook": {"active": False}, "errors": []}
            on = gql.admin(REACTIVATE, id=hook["id"])["reactivateWebhook"]
            assert on == {"webhook": {"active": True}, "errors": []}
            outsider = gql.register("Outsider")
            seen = gql.result(DELIVERIES, gql.tokens[outsider], id=hook["id"])
            assert seen["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    finally:
        receiver.stop()
