"""Benchmark: webhook deliveries per second to a local receiver with 1, 5 and 20
endpoints (catch-up: the events are written first, then the dispatcher starts), and the
delay from an event's commit to its receipt while the dispatcher follows live.

    /tmp/venv/bin/python -m bench.webhooks --events 2000 --backend sqlite

Not a test. The receiver is uvicorn on 127.0.0.1 in a process of its own (spawned), so
it does not share the dispatcher's GIL; it still shares the machine's CPUs. The ceiling
is httpx alone against the same kind of receiver."""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import uvicorn

from bench.projections import POSTGRES_URL, append_history
from domain.bootstrap import open_application
from domain.chain import event_id
from domain.introduction import ADMIN
from domain.storage import Storage, parse_database_url
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


def fresh_storage(backend: str, folder: Path, name: str) -> Storage:
    if backend == "sqlite":
        return parse_database_url(f"sqlite:///{folder / name}.db")
    import psycopg

    schema = f"bench_webhooks_{name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    return parse_database_url(f"{POSTGRES_URL}?schema={schema}")


def throughput(backend: str, folder: Path, endpoints: int, events: int) -> None:
    storage = fresh_storage(backend, folder, f"throughput_{endpoints}")
    app = open_application(storage)
    receiver = Receiver()
    for n in range(endpoints):
        app.register_webhook(ADMIN, receiver.url(n))
    written = sum(
        1
        for n in app.recorder.select_notifications(start=1, limit=10**9)
        if n.topic.startswith("domain.introduction:")
    )
    append_history(app, events)
    written = (
        sum(
            1
            for n in app.recorder.select_notifications(start=1, limit=10**9)
            if n.topic.startswith("domain.introduction:")
        )
        - written
    )
    expected = written * endpoints
    dispatcher = WebhookDispatcher(storage, settings=settings())
    started = time.perf_counter()
    dispatcher.start()
    while receiver.count.value < expected:
        time.sleep(0.01)
    sent = time.perf_counter() - started
    store = open_store(storage)
    while store.counts().get("SUCCEEDED", 0) < expected:
        time.sleep(0.01)
    recorded = time.perf_counter() - started
    dispatcher.stop()
    store.close()
    receiver.stop()
    app.close()
    print(
        f"{backend}: {endpoints:>2} endpoints, {written} events, {expected} deliveries: "
        f"all received in {sent:.2f}s = {expected / sent:,.0f} deliveries/s; "
        f"all recorded SUCCEEDED in {recorded:.2f}s = {expected / recorded:,.0f}/s"
    )


def ceiling(requests: int, concurrency: int) -> None:
    """The same HTTP client settings against the same receiver with no dispatcher at all:
    what this machine allows before any database work."""
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

    elapsed = asyncio.run(run())
    receiver.stop()
    print(
        f"ceiling: httpx alone, {requests} POSTs, {concurrency} at a time: "
        f"{requests / elapsed:,.0f} requests/s"
    )


def latency(backend: str, folder: Path, events: int, gap: float) -> None:
    storage = fresh_storage(backend, folder, "latency")
    app = open_application(storage)
    receiver = Receiver()
    app.register_webhook(ADMIN, receiver.url(0))
    dispatcher = WebhookDispatcher(storage, settings=settings())
    dispatcher.start()
    introducer, requester, target = (
        str(app.register_person(ADMIN, name).person.id) for name in ("Jason", "Jim", "John")
    )
    committed: dict[str, float] = {}
    for i in range(events // 2):
        introduction = app.propose(introducer, requester, target, f"round {i}").introduction
        committed[str(event_id(introduction.id, 1))] = time.time()
        time.sleep(gap)
        app.decline(target, introduction.id, "not now")
        committed[str(event_id(introduction.id, 2))] = time.time()
        time.sleep(gap)
    deadline = time.time() + 30
    while receiver.distinct.value < len(committed) and time.time() < deadline:
        time.sleep(0.01)
    first_seen = receiver.first_seen()
    delays = sorted((first_seen[i] - t) * 1000 for i, t in committed.items() if i in first_seen)
    dispatcher.stop()
    receiver.stop()
    app.close()
    p50 = statistics.median(delays)
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
    print(
        f"{backend}: commit -> receipt over {len(delays)} events written one at a time "
        f"({gap * 1000:.0f} ms apart): p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {delays[-1]:.1f} ms"
    )


def settings() -> DispatcherSettings:
    return DispatcherSettings(**{**DispatcherSettings.from_environment().__dict__})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--latency-events", type=int, default=400)
    parser.add_argument("--gap-ms", type=float, default=20.0)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--endpoints", default="1,5,20")
    args = parser.parse_args()
    os.environ["INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE"] = "1"  # the receiver is local
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    ceiling(2000, settings().concurrency)
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for endpoints in (int(n) for n in args.endpoints.split(",")):
                throughput(backend, Path(tmp), endpoints, args.events)
            latency(backend, Path(tmp), args.latency_events, args.gap_ms / 1000)


if __name__ == "__main__":
    main()
