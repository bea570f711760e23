"""Background work by lease (storage.lease), with real processes: `serve` alone is the
whole service on PostgreSQL too; of several `serve` and `worker` processes on one
database exactly one runs the background work, and when it is SIGKILLed another takes
over within the documented bound, under a stream of mutations: the views equal a
rebuild and every webhook event is delivered, never by two living processes."""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.delivered import DELIVERED_TOPICS
from storage.bootstrap import open_application
from storage.database import parse_database_url
from storage.leased_work import TAKEOVER_BOUND_SECONDS
from tests.api.graphql_client import (
    DECLINE,
    INTRODUCTIONS,
    PROPOSE,
    GraphQL,
    check_seed_story,
    seed_story,
)
from tests.e2e.conftest import Server, cli, free_port, service_env, start, stop, wait_healthy
from tests.reliability.checks import assert_projections_equal_a_rebuild
from tests.webhooks.receiver import Receiver
from webhooks.wire import webhook_id

TOKEN = secrets.token_urlsafe(32)
SLOW = 2.0  # seconds: a mutation waiting for views nobody folds takes the 5 s timeout
# Across a kill, a mutation may also wait for the new holder's start, never the timeout.
SLOW_ACROSS_A_KILL = 4.5
IN_FLIGHT_SECONDS = 1.0  # a request the killed holder sent, still being read after the kill
REGISTER_WEBHOOK = """mutation($url: String!) { registerWebhook(input: {url: $url}) {
  registration { secret } errors { code } } }"""


class Timed:
    """An httpx client that keeps each request's duration, on a new connection each time
    (so that `serve --workers 2` spreads them over its processes)."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(
            base_url=url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)
        )
        self.seconds: list[float] = []

    def post(self, *args: Any, **kwargs: Any) -> httpx.Response:
        started = time.monotonic()
        response = self.client.post(*args, **kwargs)
        self.seconds.append(time.monotonic() - started)
        return response


class Fleet:
    """Processes on one database, each logging to its own file; stopped at the end."""

    def __init__(self, database_url: str, tmp_path: Path, receiver: Receiver) -> None:
        self.url = database_url
        self.tmp_path = tmp_path
        self.servers: list[Server] = []
        self.workers: list[Any] = []
        self.env = {"INTRODUCTIONS_ADMIN_TOKEN": TOKEN, "INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE": "1"}
        self.receiver = receiver

    def serve(self, *args: str, **env: str) -> Server:
        port = free_port()
        log = self.tmp_path / f"serve-{port}.log"
        command = cli("serve", "--port", str(port), *args)
        process = start(command, service_env(self.url, **self.env, **env), log)
        server = Server(f"http://127.0.0.1:{port}", process, log)
        self.servers.append(server)
        return server

    def worker(self) -> Any:
        log = self.tmp_path / f"worker-{len(self.workers)}.log"
        process = start(cli("worker"), service_env(self.url, **self.env), log)
        self.workers.append(process)
        return process

    def ready(self) -> None:
        for server in self.servers:
            wait_healthy(server, timeout=180)  # several processes start at once on two CPUs

    def stop(self) -> None:
        for process in [*self.workers, *(s.process for s in self.servers)]:
            stop(process)

    def pids(self) -> set[int]:
        return {s.process.pid for s in self.servers} | {w.pid for w in self.workers}


@pytest.fixture
def fleet(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Fleet]:
    url = (
        request.getfixturevalue("postgres_url")
        if request.param == "postgres"
        else f"sqlite:///{tmp_path / 'introductions.db'}"
    )
    f = Fleet(url, tmp_path, Receiver())
    try:
        yield f
    finally:
        f.stop()
        f.receiver.stop()
    for log in tmp_path.glob("*.log"):
        assert "Traceback" not in log.read_text(errors="replace"), log.read_text()


def background_of(url: str) -> dict[str, Any]:
    ready = httpx.get(url + "/readyz", timeout=10)
    return ready.json()["background"]


def holder_pid(url: str) -> int | None:
    label = background_of(url)["holder"]
    return int(label.split("@")[0]) if label else None


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - started


class MutationStream:
    """Proposes and declines introductions through `urls`, in turn, until stopped; a
    request cut by a kill is simply not counted."""

    def __init__(self, gql: GraphQL, ids: dict[str, str], urls: list[str]) -> None:
        self.gql, self.ids = gql, ids
        self.clients = [GraphQL(Timed(u), TOKEN, gql.tokens) for u in urls]
        self.done = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        a, b, c = self.ids["a"], self.ids["b"], self.ids["c"]
        n = 0
        while not self.stopping.is_set():
            client = self.clients[n % len(self.clients)]
            n += 1
            try:
                made = client.mutate(a, PROPOSE, r=b, t=c, c="Meet.")
                client.mutate(b, DECLINE, id=made["introduction"]["id"], reason="no")
                self.done += 1
            except (httpx.TransportError, AssertionError):
                time.sleep(0.1)  # the process answering was killed mid-request
                self._decline_the_open_one(client)

    def _decline_the_open_one(self, client: GraphQL) -> None:
        """The pair takes one open introduction at a time: one left open by a request
        cut short is declined, so that the next can be proposed."""
        a, b = self.ids["a"], self.ids["b"]
        try:
            listed = client.as_(a, INTRODUCTIONS, f={"introducerId": a}, first=100)
            for edge in listed["introductions"]["edges"]:
                if edge["node"]["status"] == "PROPOSED":
                    client.mutate(b, DECLINE, id=edge["node"]["id"], reason="no")
        except (httpx.TransportError, AssertionError):
            pass  # the next round tries again

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(60)


def log_position(database_url: str) -> int:
    app = open_application(parse_database_url(database_url))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def delivered_event_ids(database_url: str, after: int) -> set[str]:
    """The ids of the events recorded after `after` that webhooks deliver."""
    app = open_application(parse_database_url(database_url))
    try:
        notifications = app.recorder.select_notifications(
            after, 1_000_000, topics=tuple(DELIVERED_TOPICS), inclusive_of_start=False
        )
        return {webhook_id(app.mapper.to_domain_event(n)) for n in notifications}
    finally:
        app.close()


def kill_the_holder_under_load(fleet: Fleet, urls: list[str], holder_urls: list[str]) -> None:
    """Three people and a webhook; a stream of mutations through `urls`; the holder
    SIGKILLed; another process takes over within the bound (as every process in
    `holder_urls` reports); then the views equal a rebuild and every event is delivered,
    a second time only if the killed holder had sent it."""
    gql = GraphQL(Timed(urls[0]), TOKEN)
    before = log_position(fleet.url)
    hook = gql.admin(REGISTER_WEBHOOK, url=fleet.receiver.url)["registerWebhook"]
    assert hook["errors"] == []
    ids = {name: gql.register(name) for name in ("a", "b", "c")}
    stream = MutationStream(gql, ids, urls)
    wait_until(lambda: stream.done >= 10, 60, "ten introductions before the kill")

    killed = holder_pid(holder_urls[0])
    assert killed is not None
    assert killed in fleet.pids() | set(child_pids(fleet))
    os.kill(killed, signal.SIGKILL)
    killed_at = time.time()
    took = wait_until(
        lambda: all(holder_pid(u) not in (None, killed) for u in holder_urls),
        TAKEOVER_BOUND_SECONDS + 1,  # + the time this loop's own requests take
        "another process holds the lease",
    )
    assert took <= TAKEOVER_BOUND_SECONDS + 1
    done = stream.done
    wait_until(lambda: stream.done >= done + 10, 60, "ten introductions after the kill")
    stream.stop()
    assert max(s for c in stream.clients for s in c.http.seconds) < SLOW_ACROSS_A_KILL

    events = delivered_event_ids(fleet.url, before)
    fleet.receiver.wait_for(lambda: fleet.receiver.ids() >= events, timeout=90)
    for event in events:
        received = fleet.receiver.of(event)
        # A repeat only for an attempt the killed holder made: no two living processes.
        # Its last request may be read by the receiver a moment after the kill.
        after_the_kill = [r for r in received if r.at >= killed_at + IN_FLIGHT_SECONDS]
        assert len(after_the_kill) <= 1, (event, killed_at, [r.at for r in received])
    wait_until(
        lambda: httpx.get(holder_urls[0] + "/readyz", timeout=10).status_code == 200,
        60,
        "views caught up",
    )
    fleet.stop()
    assert_projections_equal_a_rebuild(parse_database_url(fleet.url))


def child_pids(fleet: Fleet) -> list[int]:
    """The uvicorn worker processes of `serve --workers N`."""
    children = []
    for server in fleet.servers:
        path = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        if path.exists():
            children += [int(p) for p in path.read_text().split()]
    return children


@pytest.mark.postgres
def test_serve_alone_on_postgres_is_the_whole_service(postgres_url: str, tmp_path: Path) -> None:
    server = Fleet(postgres_url, tmp_path, Receiver())
    try:
        srv = server.serve()
        server.ready()
        timed = Timed(srv.url)
        gql = GraphQL(timed, TOKEN)
        ids = seed_story(gql)
        check_seed_story(gql, ids)  # reputation, leaderboard, track records and lists
        assert max(timed.seconds) < SLOW, timed.seconds
        assert "did not reach position" not in srv.output()
    finally:
        server.stop()
        server.receiver.stop()


@pytest.mark.slow
@pytest.mark.parametrize(
    "fleet", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_one_of_three_serves_and_a_worker_holds_the_lease_and_another_takes_over(
    fleet: Fleet,
) -> None:
    servers = []
    for _ in range(3):  # one after the other: four processes starting at once on a
        servers.append(fleet.serve())  # loaded host can outwait the pool's 5 s
        fleet.ready()
    worker = fleet.worker()
    urls = [s.url for s in servers]
    wait_until(lambda: holder_pid(urls[0]) is not None, 30, "a holder")
    holder = holder_pid(urls[0])
    assert {holder_pid(u) for u in urls} == {holder}
    holding = [
        s.process.pid for s in servers if background_of(s.url)["thisProcess"] == "holds the lease"
    ]
    assert holding == ([] if holder == worker.pid else [holder])  # exactly one holds it
    survivors = [s.url for s in servers if s.process.pid != holder]
    kill_the_holder_under_load(fleet, survivors, survivors)


@pytest.mark.slow
@pytest.mark.parametrize("fleet", ["sqlite"], indirect=True)
def test_serve_with_two_processes_on_sqlite(fleet: Fleet) -> None:
    server = fleet.serve("--workers", "2")
    fleet.ready()
    wait_until(lambda: holder_pid(server.url) is not None, 30, "a holder")
    # Both processes answer: one holds the lease, the other stands by.
    seen: set[str] = set()

    def both_answer() -> bool:
        seen.add(background_of(server.url)["thisProcess"])
        return seen == {"holds the lease", "stands by"}

    wait_until(both_answer, 30, "both processes answering")
    timed = Timed(server.url)
    gql = GraphQL(timed, TOKEN)
    ids = seed_story(gql)
    check_seed_story(gql, ids)
    jason = ids["jason"]
    for n in range(20):  # each request on a new connection, to either process
        made = gql.mutate(jason, PROPOSE, r=ids["alice"], t=ids["kent"], c=f"#{n}")
        iid = made["introduction"]["id"]
        listed = gql.as_(jason, INTRODUCTIONS, f={"introducerId": jason}, first=50)
        assert iid in {e["node"]["id"] for e in listed["introductions"]["edges"]}
        gql.mutate(ids["alice"], DECLINE, id=iid, reason="no")
    assert max(timed.seconds) < SLOW, max(timed.seconds)
    kill_the_holder_under_load(fleet, [server.url], [server.url])


@pytest.mark.parametrize("fleet", ["sqlite"], indirect=True)
def test_without_any_process_holding_the_lease_serve_says_so(fleet: Fleet) -> None:
    server = fleet.serve("--no-background")
    fleet.ready()
    assert "no process holds the lease" in server.output()
    ready = httpx.get(server.url + "/readyz", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["background"]["holder"] is None
    assert "--no-background" in ready.json()["background"]["why"]
    fleet.worker()
    wait_until(lambda: holder_pid(server.url) is not None, 60, "the worker holds it")
