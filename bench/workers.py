"""`serve --workers 2` on one SQLite file beside one `serve` process and the framework
floor, in the same runs (the http part's `introducerReputation` and `recordReply` loads);
and the failover time: the background lease's holder SIGKILLed, to the first event
projected by the new holder (median of several kills)."""

from __future__ import annotations

import os
import signal
import statistics
import time
from pathlib import Path

import httpx

from bench import server, wrk
from bench.config import Config
from bench.http import (
    READY_TIMEOUT,
    interleaved,
    load_cells,
    query_load,
    reply_load,
    seed_story,
)
from bench.report import Table
from bench.stats import ratio, times, verdict
from bench.storages import sqlite
from domain.introduction import ADMIN
from projections.read_models import ReadModels
from storage.bootstrap import open_application
from storage.database import Storage
from storage.lease import lease_for
from storage.leased_work import TAKEOVER_BOUND_SECONDS

QUERY_GOAL = 1.6  # two processes' query throughput over one's, on two cores
KILLS, QUICK_KILLS = 5, 2
FAILOVER_TIMEOUT = 60.0


def run(config: Config, folder: Path) -> Table:
    wrk.require_wrk()
    one, two = sqlite(folder, "workers-one"), sqlite(folder, "workers-two")
    stories = {"one": seed_story(one), "two": seed_story(two)}
    processes = {
        "one": server.serve(one.url, folder, name="serve-one"),
        "two": server.serve(two.url, folder, workers=2, name="serve-two"),
        "floor": server.framework_floor(folder),
    }
    with server.running(*processes.values()):
        processes["one"].wait_until("/readyz", READY_TIMEOUT)
        processes["two"].wait_until("/readyz", READY_TIMEOUT)
        processes["floor"].wait_until("/docs", READY_TIMEOUT)
        targets = {"floor": (processes["floor"].url, query_load(stories["one"]))}
        for name in ("one", "two"):
            story, url = stories[name], processes[name].url
            targets[f"{name}_query"] = (url, query_load(story))
            targets[f"{name}_mutation"] = (url, reply_load(story))
        r = interleaved(targets, config)
        failovers = [
            failover_seconds(two, processes["two"].url)
            for _ in range(QUICK_KILLS if config.quick else KILLS)
        ]
    return table(config, r, failovers)


def failover_seconds(storage: Storage, url: str) -> float:
    """SIGKILLs the lease holder once another process stands by, writes an event at once
    (from this process, which folds nothing), and times until the views include it: the
    new holder's follower projected it."""
    holder = wait_for_holder(url, None)
    wait_for_standby(storage, holder)  # uvicorn restarts a killed process in seconds
    app, views = open_application(storage), ReadModels(storage)
    try:
        os.kill(holder, signal.SIGKILL)
        killed = time.monotonic()
        position = app.register_person(ADMIN, "Failover").position
        while views.position() < position:
            if time.monotonic() - killed > FAILOVER_TIMEOUT:
                raise SystemExit(f"no process projected position {position} after the kill")
            time.sleep(0.01)
        seconds = time.monotonic() - killed
    finally:
        views.close()
        app.close()
    wait_for_holder(url, holder)  # uvicorn has started a process in the killed one's place
    return seconds


def wait_for_standby(storage: Storage, holder: int) -> None:
    """Until a process besides `holder` waits for the lease's lock."""
    lease = lease_for(storage)
    try:
        deadline = time.monotonic() + FAILOVER_TIMEOUT
        while not any(w.pid != holder for w in lease.waiting()):
            if time.monotonic() > deadline:
                raise SystemExit(f"no process stands by for the lease in {FAILOVER_TIMEOUT:.0f} s")
            time.sleep(0.1)
    finally:
        lease.release()


def wait_for_holder(url: str, not_pid: int | None) -> int:
    deadline = time.monotonic() + FAILOVER_TIMEOUT
    while time.monotonic() < deadline:
        try:
            label = httpx.get(url + "/readyz", timeout=5).json()["background"]["holder"]
        except (httpx.HTTPError, KeyError, ValueError):
            label = None
        if label and int(label.split("@")[0]) != not_pid:
            return int(label.split("@")[0])
        time.sleep(0.1)
    raise SystemExit(f"{url}: no lease holder in {FAILOVER_TIMEOUT:.0f} s")


def table(config: Config, r: dict[str, float], failovers: list[float]) -> Table:
    result = Table(
        f"SQLite, `serve --workers 2` vs one process: wrk -c{config.connections} "
        f"-d{config.duration:g}s (median of {config.runs})",
        ["request", "requests/s", "p50 ms", "p99 ms", "non-2xx", "ratio", "goal", "verdict"],
    )
    floor = "framework floor (cached), `introducerReputation`'s shape"
    result.add(floor, *load_cells(r, "floor"), "", "", "")
    for kind, label in (("query", "`introducerReputation`"), ("mutation", "`recordReply`")):
        share = ratio(r[f"two_{kind}.rps"], r[f"one_{kind}.rps"])
        result.add(f"{label}, one process", *load_cells(r, f"one_{kind}"), "", "", "")
        goal = f"≥ {QUERY_GOAL}× one process's" if kind == "query" else ""
        met = verdict(share >= QUERY_GOAL) if kind == "query" else ""
        result.add(
            f"{label}, `--workers 2`", *load_cells(r, f"two_{kind}"), times(share), goal, met
        )
    shown = ", ".join(f"{s:.2f}" for s in failovers)
    result.notes.append(
        f"Failover, `--workers 2`: the lease holder SIGKILLed, to the first event projected "
        f"by the new holder, a standby waiting: median {statistics.median(failovers):.2f} s over "
        f"{len(failovers)} kills ({shown} s); the documented bound is {TAKEOVER_BOUND_SECONDS:g} s."
    )
    result.notes.append(
        "Ratio: two processes' requests/s over one process's, on the same machine in the "
        "same runs (the loads take turns). wrk shares the machine's cores with the service."
    )
    return result
