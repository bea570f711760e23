"""Webhook deliveries per second to a local receiver (catch-up: the events are written
first, then the dispatcher starts), against the ceiling of httpx alone with the same
limits; and the delay from an event's commit to its receipt while the dispatcher
follows live.

The receiver is uvicorn on 127.0.0.1 in a process of its own (spawned), so
it does not share the dispatcher's GIL; it still shares the machine's CPUs. The ceiling
is httpx alone against the same kind of receiver."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import time
import urllib.request
from pathlib import Path
from typing import Any

import uvicorn

from bench.config import Config
from bench.report import Table
from bench.seed import append_history
from bench.stats import median_of, ms, percentile, rate, ratio, times, verdict
from bench.storages import LABELS, fresh
from domain.chain import event_id
from domain.introduction import ADMIN
from storage.bootstrap import open_application
from storage.database import Storage
from webhooks.config import DispatcherSettings
from webhooks.dispatcher import WebhookDispatcher
from webhooks.store import open_store


class Receiver:
    """A uvicorn server on 127.0.0.1 in its own (spawned) process, answering 204: it
    counts POSTs in shared memory and notes when each webhook-id first arrived, which
    GET /seen returns as JSON."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.count = context.Value("q", 0, lock=False)  # only the receiver writes
        self.distinct = context.Value("q", 0, lock=False)
        self._port = context.Value("i", 0)
        self.process = context.Process(
            target=_receive, args=(self.count, self.distinct, self._port), daemon=True
        )
        self.process.start()
        while not self._port.value:
            time.sleep(0.01)
        self.port = self._port.value

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{n}"

    def first_seen(self) -> dict[str, float]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/seen") as response:
            seen: dict[str, float] = json.load(response)
        return seen

    def stop(self) -> None:
        self.process.terminate()
        self.process.join()


def _receive(count: Any, distinct: Any, port: Any) -> None:
    """The receiver process: a raw ASGI app under uvicorn."""
    first_seen: dict[str, float] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        body = b""
        if scope["method"] == "GET":
            body = json.dumps(first_seen).encode()
        else:
            webhook_id = dict(scope["headers"])[b"webhook-id"].decode()
            if webhook_id not in first_seen:
                first_seen[webhook_id] = time.time()
                distinct.value += 1
            count.value += 1
        await send({"type": "http.response.start", "status": 200 if body else 204})
        await send({"type": "http.response.body", "body": body})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)  # connections queue from here on, before uvicorn serves
    config = uvicorn.Config(app, log_level="error", lifespan="off", interface="asgi3")
    server = uvicorn.Server(config)
    port.value = sock.getsockname()[1]
    server.run(sockets=[sock])


INTRODUCTION_TOPIC = "domain.introduction:"
GOAL = 300  # deliveries/s
LATENCY_GAP = 0.02  # seconds between live writes


def _introduction_events(storage: Storage) -> int:
    app = open_application(storage)
    try:
        notifications = app.recorder.select_notifications(start=1, limit=10**9)
        return sum(1 for n in notifications if n.topic.startswith(INTRODUCTION_TOPIC))
    finally:
        app.close()


def throughput(storage: Storage, endpoints: int, events: int) -> float:
    """Deliveries/s until the receiver has every delivery and every row is SUCCEEDED."""
    app = open_application(storage)
    receiver = Receiver()
    try:
        for n in range(endpoints):
            app.register_webhook(ADMIN, receiver.url(n))
        append_history(app, events, people=min(300, max(10, events // 5)))
    finally:
        app.close()
    expected = _introduction_events(storage) * endpoints
    assert expected, "no introduction events to deliver"
    dispatcher = WebhookDispatcher(storage, settings=settings())
    store = open_store(storage)
    started = time.perf_counter()
    dispatcher.start()
    try:
        while receiver.count.value < expected:
            time.sleep(0.01)
        while store.counts().get("SUCCEEDED", 0) < expected:
            time.sleep(0.01)
        return expected / (time.perf_counter() - started)
    finally:
        dispatcher.stop()
        store.close()
        receiver.stop()


def ceiling(requests: int, concurrency: int) -> float:
    """Requests/s of the same HTTP client settings against the same receiver with no
    dispatcher at all: what this machine allows before any database work."""
    import httpx

    receiver = Receiver()

    async def run() -> float:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits) as client:
            gate = asyncio.Semaphore(concurrency)

            async def one(i: int) -> None:
                async with (
                    gate,
                    client.stream(
                        "POST", receiver.url(0), content=b"{}", headers={"webhook-id": str(i)}
                    ),
                ):
                    pass

            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(requests)))
            return time.perf_counter() - started

    try:
        return requests / asyncio.run(run())
    finally:
        receiver.stop()


def latency(storage: Storage, events: int) -> dict[str, float]:
    """Commit -> receipt in ms (p50, p99) of events written one at a time, LATENCY_GAP
    apart, with the dispatcher following live."""
    app = open_application(storage)
    receiver = Receiver()
    app.register_webhook(ADMIN, receiver.url(0))
    dispatcher = WebhookDispatcher(storage, settings=settings())
    dispatcher.start()
    try:
        introducer, requester, target = (
            str(app.register_person(ADMIN, name).person.id) for name in ("Jason", "Jim", "John")
        )
        committed: dict[str, float] = {}
        for i in range(max(1, events // 2)):
            introduction = app.propose(introducer, requester, target, f"round {i}").introduction
            committed[str(event_id(introduction.id, 1))] = time.time()
            time.sleep(LATENCY_GAP)
            app.decline(target, introduction.id, "not now")
            committed[str(event_id(introduction.id, 2))] = time.time()
            time.sleep(LATENCY_GAP)
        deadline = time.time() + 30
        while receiver.distinct.value < len(committed) and time.time() < deadline:
            time.sleep(0.01)
        first_seen = receiver.first_seen()
    finally:
        dispatcher.stop()
        receiver.stop()
        app.close()
    delays = [(first_seen[i] - t) * 1000 for i, t in committed.items() if i in first_seen]
    return {
        "p50": statistics.median(delays),
        "p99": percentile(delays, 0.99),
        "lost": float(len(committed) - len(delays)),
    }


def settings() -> DispatcherSettings:
    return DispatcherSettings(**{**DispatcherSettings.from_environment().__dict__})


def run(config: Config, folder: Path) -> Table:
    os.environ["INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE"] = "1"  # the receiver is local
    latency_events = 40 if config.quick else 100

    def one(run: int) -> dict[str, float]:
        results = {"ceiling": ceiling(2000 if not config.quick else 300, settings().concurrency)}
        for kind in config.kinds:
            for endpoints in config.webhook_endpoints:
                name = f"{kind}_{endpoints}_{run}"
                with fresh(kind, folder, config.postgres_url, f"webhooks_{name}") as storage:
                    results[f"{kind}.{endpoints}"] = throughput(
                        storage, endpoints, config.webhook_events
                    )
            with fresh(kind, folder, config.postgres_url, f"latency_{run}") as storage:
                for key, value in latency(storage, latency_events).items():
                    results[f"{kind}.latency.{key}"] = value
        return results

    r = median_of(config.runs, one)
    table = Table(
        f"Webhook deliveries, catch-up of about {config.webhook_events:,} events "
        f"(median of {config.runs})",
        [
            "storage, endpoints",
            "deliveries/s",
            "ceiling: httpx alone, requests/s",
            "ratio to ceiling",
            f"goal ≥ {GOAL}/s",
            "commit → receipt p50 / p99 ms",
        ],
    )
    for kind in config.kinds:
        for endpoints in config.webhook_endpoints:
            value = r[f"{kind}.{endpoints}"]
            table.add(
                f"{LABELS[kind]}, {endpoints}",
                rate(value),
                rate(r["ceiling"]),
                times(ratio(value, r["ceiling"])),
                verdict(value >= GOAL),
                f"{ms(r[f'{kind}.latency.p50'])} / {ms(r[f'{kind}.latency.p99'])}",
            )
    table.notes.append(
        "The receiver is uvicorn in a process of its own answering 204; the dispatcher runs "
        f"with its defaults. Latency: {latency_events} events written one at a time, "
        f"{LATENCY_GAP * 1000:.0f} ms apart, dispatcher following live."
    )
    return table
