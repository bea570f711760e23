"""Idle cost: the CPU an idle `serve` uses (SQLite; PostgreSQL with its `worker`) over
30 s, as a share of one core, from /proc; and, once it has idled, a mutation's round trip
(read-your-writes: it answers once its projections have it) and the delay until its
webhook arrives, so that idling cheaply is not bought with slow answers."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import httpx

from bench import server
from bench.config import Config
from bench.http import READY_TIMEOUT, Story, reply_once, seed_story
from bench.report import Table
from bench.stats import ms, verdict
from bench.storages import LABELS, fresh
from bench.webhooks import Receiver
from domain.chain import event_id
from domain.introduction import ADMIN
from storage.bootstrap import open_application

GOAL = 0.0025  # of one core
IDLE_SECONDS = 30
SETTLE_SECONDS = 5  # after the warm-up mutation, before the idle window opens
ROUND_TRIPS = 5
ROUND_TRIP_GAP = 2.0  # seconds between the mutations: each finds the service idle
DELIVERY_TIMEOUT = 30.0
SETTINGS = {"INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE": "1"}  # the receiver is local


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process, its threads and its children (live ones, and
    those it has waited for), from /proc/<pid>/stat (proc(5): fields 14 to 17)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0.0
    fields = stat.rpartition(")")[2].split()  # the command name may hold spaces
    ticks = sum(int(f) for f in fields[11:15])
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(c) for c in task.read_text().split()]
    return ticks / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(c) for c in children)


@dataclass
class Deployment:
    kind: str
    url: str
    story: Story
    processes: dict[str, server.Process]  # "serve", and "worker" on PostgreSQL


@contextmanager
def deployment(kind: str, config: Config, folder: Path, receiver: Receiver) -> Iterator[Deployment]:
    """A ready `serve` (and `worker` on PostgreSQL) on fresh storage, with one
    introduction story and a webhook endpoint at `receiver`."""
    with fresh(kind, folder, config.postgres_url, "idle") as storage:
        story = seed_story(storage)
        app = open_application(storage)
        try:
            app.register_webhook(ADMIN, receiver.url(0))
        finally:
            app.close()
        processes = {
            "serve": server.serve(storage.url, folder, name=f"serve-idle-{kind}", settings=SETTINGS)
        }
        if kind == "postgres":
            processes["worker"] = server.worker(
                storage.url, folder, name="worker-idle", settings=SETTINGS
            )
        with server.running(*processes.values()):
            url = processes["serve"].url
            processes["serve"].wait_until("/readyz", READY_TIMEOUT)
            reply_once(url, story, story.introductions[0])  # projections and webhooks follow
            yield Deployment(kind, url, story, processes)


def round_trips(
    deployments: list[Deployment], receiver: Receiver, count: int, gap: float
) -> dict[str, float]:
    """Median ms of a mutation's round trip and of its sending to its webhook's receipt,
    per deployment; the mutations `gap` seconds apart."""
    sent: dict[str, list[tuple[str, float, float]]] = {d.kind: [] for d in deployments}
    client = httpx.Client()  # as a client would, keeping its connection (uvicorn: 5 s)
    for i in range(count):
        time.sleep(gap)
        for d in deployments:
            introduction = d.story.introductions[1 + i % (len(d.story.introductions) - 1)]
            started = time.time()
            payload = reply_once(d.url, d.story, introduction, client)
            answered = time.time()
            version = payload["introduction"]["version"]  # type: ignore[index]
            sent[d.kind].append((str(event_id(UUID(introduction), version)), started, answered))
    client.close()
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    expected = {webhook_id for items in sent.values() for webhook_id, _, _ in items}
    seen = receiver.first_seen()
    while not expected <= seen.keys() and time.monotonic() < deadline:
        time.sleep(0.1)
        seen = receiver.first_seen()
    figures = {}
    for kind, items in sent.items():
        figures[f"{kind}.round_trip"] = statistics.median((a - s) * 1000 for _, s, a in items)
        delays = [(seen[w] - s) * 1000 for w, s, _ in items if w in seen]
        figures[f"{kind}.webhook"] = statistics.median(delays) if delays else float("nan")
        figures[f"{kind}.lost"] = float(len(items) - len(delays))
    return figures


def run(config: Config, folder: Path) -> Table:
    idle = 3 if config.quick else IDLE_SECONDS
    settle = 1 if config.quick else SETTLE_SECONDS
    trips, gap = (3, 0.2) if config.quick else (ROUND_TRIPS, ROUND_TRIP_GAP)
    os.environ.update(SETTINGS)  # registering the endpoint checks it in this process too
    receiver = Receiver()
    try:
        with ExitStack() as stack:
            deployments = [
                stack.enter_context(deployment(kind, config, folder, receiver))
                for kind in config.kinds
            ]
            time.sleep(settle)
            pids = {
                f"{d.kind}.{name}": p.popen.pid
                for d in deployments
                for name, p in d.processes.items()
            }
            before = {key: cpu_seconds(pid) for key, pid in pids.items()}
            started = time.monotonic()
            time.sleep(idle)
            elapsed = time.monotonic() - started
            shares = {key: (cpu_seconds(pid) - before[key]) / elapsed for key, pid in pids.items()}
            r = round_trips(deployments, receiver, trips, gap)
    finally:
        receiver.stop()
    table = Table(
        f"Idle `serve`: CPU over {idle} s as a share of one core; then a mutation's round trip",
        [
            "process",
            "CPU, % of a core",
            f"goal < {GOAL:.2%}",
            "read-your-writes: `recordReply` round trip p50 ms",
            "mutation sent → webhook received p50 ms",
        ],
    )
    for key, share in shares.items():
        kind, _, name = key.partition(".")
        is_serve = name == "serve"
        table.add(
            f"{LABELS[kind]}, `{name}`",
            f"{share:.2%}",
            verdict(share < GOAL) if is_serve else "(reported)",
            ms(r[f"{kind}.round_trip"]) if is_serve else "",
            ms(r[f"{kind}.webhook"]) if is_serve else "",
        )
    lost = sum(r[f"{d}.lost"] for d in config.kinds)
    table.notes.append(
        "Each deployment: one introduction story and one webhook endpoint (a local receiver), "
        f"one warm-up mutation, {settle} s to settle, then {idle} s with no request; CPU is "
        "utime + stime of the process, its threads and children (/proc/<pid>/stat). Then "
        f"{trips} `recordReply` mutations, {gap:g} s apart, one at a time over HTTP; "
        f"webhooks not received within {DELIVERY_TIMEOUT:.0f} s: {lost:.0f}. One run."
    )
    return table
