"""The docker-compose topology, run as local processes (Docker cannot run here): the api
service's command twice, on two ports, and the worker service's command twice, all on one
PostgreSQL schema, with the variables the compose file gives them.

Read-your-writes across processes: a mutation answers only once the projections (tables
in the shared database, written by a worker) include its position, so whichever API
process serves the next query reads it; aggregates are read from the event store itself."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.graphql_client import (
    HISTORY,
    INTRODUCTION,
    INTRODUCTIONS,
    PROPOSE,
    REPUTATION,
    GraphQL,
    check_seed_story,
    seed_story,
)
from tests.deploy.files import service
from tests.e2e.conftest import Server, cli, free_port, service_env, start, stop, wait_healthy
from tests.webhooks.receiver import Receiver

REGISTER_WEBHOOK = """mutation($url: String!) { registerWebhook(input: {url: $url}) {
  registration { secret } errors { code } } }"""


class Alternating:
    """An httpx-like client sending each request to the next server in turn."""

    def __init__(self, clients: list[httpx.Client]) -> None:
        self._next = itertools.cycle(clients)

    def post(self, *args: Any, **kwargs: Any) -> httpx.Response:
        return next(self._next).post(*args, **kwargs)


def as_compose_runs(name: str, **ports: int) -> list[str]:
    """The service's command, with its ports moved to free local ones."""
    command = list(service(name)["command"])
    for option, port in ports.items():
        flag = "--" + option.replace("_", "-")
        command[command.index(flag) + 1] = str(port)
    return cli(*command[1:])


def environment(name: str, database_url: str, **extra: str) -> dict[str, str]:
    settings = {k: str(v) for k, v in service(name)["environment"].items()}
    settings.pop("INTRODUCTIONS_DATABASE_URL")  # names the compose host "postgres"
    return service_env(database_url, **settings, **extra)


@pytest.fixture
def topology(postgres_url: str, tmp_path: Path) -> Iterator[tuple[list[Server], str]]:
    token = secrets.token_urlsafe(32)  # production mode refuses a weak one
    extra = {"INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE": "1"}  # the receiver is on 127.0.0.1
    processes = []
    servers = []
    try:
        for n in (1, 2):
            command = as_compose_runs("worker", metrics_port=free_port())
            env = environment("worker", postgres_url, **extra)
            processes.append(start(command, env, tmp_path / f"worker{n}.log"))
        for n in (1, 2):
            port = free_port()
            env = environment("api", postgres_url, INTRODUCTIONS_ADMIN_TOKEN=token, **extra)
            log = tmp_path / f"api{n}.log"
            processes.append(start(as_compose_runs("api", port=port), env, log))
            servers.append(Server(f"http://127.0.0.1:{port}", processes[-1], log))
        for server in servers:
            wait_healthy(server, timeout=180)  # eight processes start at once on two CPUs
        yield servers, token
    finally:
        for process in reversed(processes):
            stop(process)
    for log in tmp_path.glob("*.log"):
        assert "Traceback" not in log.read_text(errors="replace"), log.read_text()


@pytest.mark.postgres
@pytest.mark.slow
def test_two_api_processes_and_two_workers_serve_one_system(
    topology: tuple[list[Server], str],
) -> None:
    servers, token = topology
    receiver = Receiver()
    clients = [httpx.Client(base_url=s.url, timeout=30) for s in servers]
    try:
        a, b = (GraphQL(c, token) for c in clients)
        hook = a.admin(REGISTER_WEBHOOK, url=receiver.url)["registerWebhook"]
        assert hook["errors"] == []

        gql = GraphQL(Alternating(clients), token)
        ids = seed_story(gql)  # every request goes to the other API process than the last
        check_seed_story(gql, ids)

        # A write on one process, read at once on the other, both ways.
        kent = ids["kent"]
        b.tokens = a.tokens = gql.tokens
        for n in range(4):
            writer, reader = (a, b) if n % 2 == 0 else (b, a)
            new = writer.mutate(kent, PROPOSE, r=ids["jim"], t=ids["john"], c=f"#{n}")
            iid = new["introduction"]["id"]
            assert reader.as_(kent, INTRODUCTION, id=iid)["introduction"]["status"] == "PROPOSED"
            listed = reader.as_(kent, INTRODUCTIONS, f={"introducerId": kent}, first=50)
            assert iid in {e["node"]["id"] for e in listed["introductions"]["edges"]}
            reputation = reader.as_(kent, REPUTATION, id=kent)["introducerReputation"]
            assert reputation["proposed"] == 2 + n
            writer.mutate(ids["jim"], DECLINE_QUERY, id=iid)  # frees the pair for the next

        every = gql.admin(INTRODUCTIONS, first=100)["introductions"]["edges"]
        events = {
            entry["id"]
            for edge in every
            for entry in gql.admin(HISTORY, id=edge["node"]["id"])["introductionHistory"]
        }
        receiver.wait_for(lambda: receiver.ids() == events, timeout=60)
        # Each event once: two workers never both sent one delivery.
        assert sorted(r.webhook_id for r in receiver.requests) == sorted(events)
    finally:
        receiver.stop()
        for client in clients:
            client.close()


DECLINE_QUERY = """mutation($id: ID!) { declineIntroduction(id: $id, reason: "no") {
  introduction { id } errors { code message field } } }"""
