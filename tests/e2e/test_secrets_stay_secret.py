"""Secrets are shown once, where they are made, and nowhere after: the whole seed story,
person tokens issued, expired and revoked, a webhook registered, rotated and delivering,
and requests with wrong tokens, all through a real `serve` logging at debug level (and,
on PostgreSQL, a worker beside two API processes). Then every secret is looked for in
everything the processes wrote and in every GraphQL answer but the one that made it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domain.webhook import SECRET_PREFIX
from tests.api.graphql_client import INTRODUCTION, ME, GraphQL, check_seed_story, seed_story
from tests.api.test_token_lifecycle import ISSUE, REVOKE
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

PREVIOUS_ADMIN_TOKEN = "e2e-previous-admin-" + "z" * 32
REGISTER = """mutation($url: String!) { registerWebhook(input: {url: $url}) {
  registration { secret webhook { id } } errors { code message } } }"""
ROTATE = """mutation($id: ID!) { rotateWebhookSecret(id: $id) {
  registration { secret } errors { code message } } }"""
MAKERS = ("issueToken", "registerWebhook", "rotateWebhookSecret")  # answers that show one


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def debug_service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Path]]:
    """Yields the server's URL file and every log file; the processes log at debug."""
    port = free_port()
    args = cli("serve", "--port", str(port), "--log-level", "debug")
    processes = []
    logs = [tmp_path / "serve.log"]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'introductions.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        args += ["--workers", "2"]
    env = service_env(
        url,
        INTRODUCTIONS_ADMIN_TOKEN=ADMIN_TOKEN,
        INTRODUCTIONS_ADMIN_TOKEN_PREVIOUS=PREVIOUS_ADMIN_TOKEN,
        INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE="1",  # the receiver is on 127.0.0.1
    )
    if request.param == "postgres":
        logs.append(tmp_path / "worker.log")
        processes.append(start(cli("worker", "--log-level", "debug"), env, logs[-1]))
    processes.append(start(args, env, logs[0]))
    server = Server(f"http://127.0.0.1:{port}", processes[-1], logs[0])
    (tmp_path / "url").write_text(server.url)
    try:
        wait_healthy(server)
        yield [tmp_path / "url", *logs]
    finally:
        for process in reversed(processes):
            stop(process)


def test_no_secret_appears_after_it_is_made(debug_service: list[Path]) -> None:
    url_file, *logs = debug_service
    answers: list[tuple[str, str]] = []  # (request body, answer body)

    def record(response: httpx.Response) -> None:
        response.read()
        answers.append((response.request.content.decode(), response.text))

    receiver = Receiver()
    secrets = [ADMIN_TOKEN, PREVIOUS_ADMIN_TOKEN]
    try:
        with httpx.Client(
            base_url=url_file.read_text(), timeout=30, event_hooks={"response": [record]}
        ) as http:
            gql = GraphQL(http, ADMIN_TOKEN)
            registered = gql.admin(REGISTER, url=receiver.url)["registerWebhook"]
            webhook = registered["registration"]["webhook"]["id"]
            first_secret = registered["registration"]["secret"]
            rotated = gql.admin(ROTATE, id=webhook)["rotateWebhookSecret"]
            second_secret = rotated["registration"]["secret"]
            secrets += [first_secret, second_secret]

            ids = seed_story(gql)
            check_seed_story(gql, ids)
            jim = ids["jim"]
            short = gql.admin(ISSUE, id=jim, ttl=3600)["issueToken"]
            revoked = gql.admin(ISSUE, id=jim)["issueToken"]
            assert gql.data(ME, revoked["token"])["me"]["id"] == jim
            gql.as_(jim, REVOKE, id=revoked["tokenId"])
            secrets += [short["token"], revoked["token"], *gql.tokens.values()]

            # Wrong and refused tokens, in every place a token can be put.
            for token in (revoked["token"], "itk_" + "A" * 43, PREVIOUS_ADMIN_TOKEN + "x"):
                body = gql.result(INTRODUCTION, token, id=ids["burned"])
                assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            http.post("/graphql", content=b"{not json", headers={"Authorization": ADMIN_TOKEN})
            http.get("/graphql", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            gql.result("{ webhooks { id url } }", PREVIOUS_ADMIN_TOKEN)
            deliveries = "query($id: ID!) { webhookDeliveries(webhookId: $id) { id lastError } }"
            gql.admin(deliveries, id=webhook)

            # every introduction event of the story: 5 + 5, and the second proposal of Jim
            receiver.wait_for(lambda: len(receiver.ids()) == 11, timeout=30)
    finally:
        receiver.stop()

    keys = [s.removeprefix(SECRET_PREFIX) for s in secrets if s.startswith(SECRET_PREFIX)]
    output = "\n".join(log.read_text(errors="replace") for log in logs)
    assert "DEBUG" in output  # the processes did log at debug level
    for secret in secrets + keys:
        assert secret not in output
    for request, answer in answers:
        if any(maker in request for maker in MAKERS):
            continue
        for secret in secrets + keys:
            assert secret not in answer, request
    delivered = json.dumps([r.headers for r in receiver.requests])
    for secret in secrets + keys:
        assert secret not in delivered  # the receiver gets signatures, never the secret
