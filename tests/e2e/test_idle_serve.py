"""An idle `serve` on SQLite, holding the background lease with a webhook endpoint
registered (so its dispatcher follows the log), seldom wakes: no thread polls several
times a second, since its own writes wake its followers and only other processes' writes
are looked for, once a second while the log is quiet."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import httpx

from tests.api.graphql_client import PROPOSE, GraphQL
from tests.e2e.conftest import ADMIN_TOKEN, serving
from tests.e2e.test_webhooks_through_serve import REGISTER
from tests.webhooks.receiver import Receiver

QUIET_SECONDS = 2.0  # the followers' busy looks end a second after the last write
IDLE_SECONDS = 5.0
THREAD_WAKES_PER_SECOND = 4.0
PROCESS_WAKES_PER_SECOND = 12.0


def thread_wakes(pid: int) -> dict[str, int]:
    """How often each thread of a process has gone to sleep and woken since it began."""
    woken = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that has just ended
            status = (task / "status").read_text().splitlines()
            name = (task / "comm").read_text().strip()
            line = next(x for x in status if x.startswith("voluntary_ctxt_switches"))
            woken[f"{task.name} {name}"] = int(line.split()[1])
    return woken


def test_an_idle_serve_with_a_webhook_endpoint_seldom_wakes(tmp_path: Path) -> None:
    receiver = Receiver()
    database = f"sqlite:///{tmp_path / 'introductions.db'}"
    settings = {
        "INTRODUCTIONS_ADMIN_TOKEN": ADMIN_TOKEN,
        "INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on 127.0.0.1
    }
    try:
        with (
            serving(tmp_path, database, **settings) as server,
            httpx.Client(base_url=server.url, timeout=30) as http,
        ):
            gql = GraphQL(http, ADMIN_TOKEN)
            registered = gql.admin(REGISTER, url=receiver.url, types=None)["registerWebhook"]
            assert registered["errors"] == []
            jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
            gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")
            receiver.wait_for(lambda: len(receiver.requests) == 1, timeout=20)
            time.sleep(QUIET_SECONDS)

            before = thread_wakes(server.process.pid)
            time.sleep(IDLE_SECONDS)
            after = thread_wakes(server.process.pid)
    finally:
        receiver.stop()
    per_second = {t: (n - before.get(t, 0)) / IDLE_SECONDS for t, n in after.items()}
    busiest = {t: rate for t, rate in per_second.items() if rate > THREAD_WAKES_PER_SECOND}
    assert not busiest, per_second
    assert sum(per_second.values()) <= PROCESS_WAKES_PER_SECOND, per_second
