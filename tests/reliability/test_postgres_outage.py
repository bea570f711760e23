"""PostgreSQL stopped for 10 s under load, then started again (a cluster of the test's own,
never the machine's). While it is down every request is answered promptly with a
retryable error (extensions.code UNAVAILABLE and retryAfterSeconds, HTTP 503 with
Retry-After) and /readyz says not ready; once it is back, `serve`, the worker's
projections and its webhook dispatcher carry on by themselves, no acknowledged write is
lost, and every acknowledged event is delivered to the webhook."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from domain.chain import event_id
from tests.api import graphql_client as docs
from tests.reliability.checks import (
    assert_chains_verify,
    assert_every_acknowledged_event_logged,
    assert_projections_equal_a_rebuild,
)
from tests.reliability.conftest import Serve
from tests.reliability.own_postgres import OwnPostgres
from tests.reliability.workload import Ledger, cast, race
from tests.webhooks.receiver import Receiver

OUTAGE_SECONDS = 10
# Not a speed figure: an answer slower than this while the database is down is a hang
# (a refusal takes at most the pool's 5 s wait for a connection).
HANG_SECONDS = 20
WEBHOOKS = {
    "INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE": "1",
    "INTRODUCTIONS_WEBHOOK_RETRY_SCHEDULE": "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
}
REGISTER_WEBHOOK = """mutation($u: String!) { registerWebhook(input: {url: $u}) {
  errors { code } } }"""


def test_service_survives_a_postgres_outage(own_postgres: OwnPostgres, tmp_path: Path) -> None:
    receiver = Receiver()
    serve = Serve(own_postgres.url, tmp_path, worker=True, **WEBHOOKS)
    try:
        serve.start()
        admin = serve.gql()
        assert admin.admin(REGISTER_WEBHOOK, u=receiver.url)["registerWebhook"]["errors"] == []
        ledger = Ledger()
        slots = cast(admin, 10, ledger)
        probe = serve.gql(admin)
        probe.http.timeout = httpx.Timeout(HANG_SECONDS)
        person, introduction = slots[0].requester, slots[0].introduction

        def ask() -> httpx.Response:
            return probe.raw(docs.INTRODUCTION, probe.tokens[person], id=introduction)

        stop_load = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            load = pool.submit(
                race, lambda _: serve.gql(admin), slots, ledger, 4, 600, stop_load, "UNAVAILABLE"
            )
            time.sleep(2)
            own_postgres.stop()
            down_at = time.monotonic()
            during: list[tuple[httpx.Response, httpx.Response]] = []
            while time.monotonic() - down_at < OUTAGE_SECONDS:
                ready = httpx.get(serve.url + "/readyz", timeout=HANG_SECONDS)
                during.append((ask(), ready))
                time.sleep(0.5)
            own_postgres.start()
            recovered = _until(lambda: ask().json().get("errors") is None, 60)
            time.sleep(2)  # the load goes on after the recovery
            stop_load.set()
            load.result()

        assert len(during) >= 3
        for answer, ready in during:
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"].isdigit()
            (error,) = answer.json()["errors"]
            assert error["extensions"]["code"] == "UNAVAILABLE", error
            assert error["extensions"]["retryAfterSeconds"] > 0
            assert "request id" not in error["message"]  # not the masked unexpected error
            assert ready.status_code == 503, ready.text
        assert recovered, "the service did not recover by itself within 60 s"
        assert ledger.refusals["UNAVAILABLE"] > 0
        assert ledger.unexpected == []

        serve.wait_ready(timeout=120)  # the worker's projections caught up
        assert serve.worker is not None
        assert serve.worker.poll() is None, "the worker died"
        delivered = {str(event_id(i, v)) for (i, v) in ledger.acknowledged}
        assert _until(lambda: delivered <= receiver.ids(), 120), "webhooks did not catch up"
    finally:
        logs = serve.stop() if serve.server else ""
        receiver.stop()
    assert "Traceback" not in logs, logs
    assert_every_acknowledged_event_logged(serve.storage, ledger, all_answered=False)
    assert_chains_verify(serve.storage)
    assert_projections_equal_a_rebuild(serve.storage)


def _until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False
