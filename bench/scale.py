"""Latency as the log grows: the p50 of five queries over HTTP against `serve` on
seeded SQLite logs of each size (one connection, so latency is not queueing), each as a
ratio to its value on the smallest log, `introductionAt` at the last version of one long
introduction among them; the memory `serve` holds afterwards; and `verify`'s throughput
over each whole log, in process."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench import server, wrk
from bench.config import Config
from bench.report import Table
from bench.seeded import SeededLog, seeded_log
from bench.stats import median_of, ms, rate, ratio, times, verdict

QUERIES = {
    "introduction(id)": (
        "query($id: ID!) { introduction(id: $id) { id status version introducer "
        "{ displayName } requester { displayName } target { displayName } } }",
        "introductions",
    ),
    "introducerReputation": (
        "query($id: ID!) { introducerReputation(introducerId: $id) "
        "{ score rankingScore proposed burned introducer { displayName } } }",
        "introducers",
    ),
    "leaderboard(first: 10)": (
        "{ leaderboard(first: 10) { score introducer { displayName } } }",
        None,
    ),
    "introductions(first: 20)": (
        "{ introductions(first: 20) { edges { cursor node { id status "
        "introducer { displayName } } } pageInfo { hasNextPage endCursor } } }",
        None,
    ),
    "introductionAt(last version)": (
        "query($id: ID!) { introductionAt(id: $id, version: __LAST__) { id status version "
        "introducer { displayName } } }",
        "long_introductions",
    ),
}
LONG = 10_000  # events of the long introduction (a tenth of it with --quick)
GOAL = 1.2  # at most this times the p50 on the smallest log
MEMORY_GOAL_MIB = 200
READY_TIMEOUT = 600.0


def ids_of(log: SeededLog, ids: str | None) -> list[str]:
    if ids == "long_introductions":
        return [log.long_introduction]
    return getattr(log, ids) if ids else ["-"]


def verify_throughput(log: SeededLog) -> float:
    """Events/s of `verify` (every chain) over the whole log, in process."""
    from domain.audit import verify_log
    from storage.bootstrap import open_application
    from storage.database import parse_database_url

    app = open_application(parse_database_url(log.url))
    try:
        started = time.perf_counter()
        report = verify_log(app)
        seconds = time.perf_counter() - started
    finally:
        app.close()
    if not report.ok:
        raise SystemExit(f"verify found {report.first_finding} in {log.path}")
    return report.events / seconds


def measure_sizes(
    logs: list[SeededLog], config: Config, folder: Path
) -> dict[int, dict[str, float]]:
    """The queries' p50 on every log, and the memory of each `serve` afterwards. One
    `serve` per log, all started first, and the logs take turns within each run (as the
    HTTP part's targets do), so that a slow minute of the machine hits every size alike
    instead of making one size look slower."""
    services = {
        log.events: server.serve(log.url, folder, name=f"serve-{log.events}") for log in logs
    }
    with server.running(*services.values()):
        for service in services.values():
            service.wait_until("/readyz", READY_TIMEOUT)
        scripts = {
            log.events: {
                name: wrk.script(
                    ids_of(log, ids),
                    query.replace("__LAST__", str(log.long_versions)),
                    server.ADMIN_TOKEN,
                    id="__ID__",
                )
                for name, (query, ids) in QUERIES.items()
            }
            for log in logs
        }

        def one(_: int) -> dict[str, float]:
            results = {}
            for events, service in services.items():
                for name, lua in scripts[events].items():
                    r = wrk.run(service.url, lua, duration=config.scale_duration, connections=1)
                    results[f"{events}|{name}"] = r["p50"]
                    bad = r["non2xx"] + r["errors"] + r["socket_errors"]
                    results[f"{events}|{name}.bad"] = bad
            return results

        medians = median_of(config.scale_runs, one)
        figures: dict[int, dict[str, float]] = {events: {} for events in services}
        for key, value in medians.items():
            size, _, name = key.partition("|")
            figures[int(size)][name] = value
        for events, service in services.items():
            # After the load runs: what it holds now, and the most it ever held.
            figures[events]["rss"], figures[events]["hwm"] = server.memory_mib(service.popen.pid)
    return figures


def run(config: Config, folder: Path) -> tuple[list[Table], dict[str, list[float]]]:
    wrk.require_wrk()
    long_versions = LONG // 10 if config.quick else LONG
    logs = [seeded_log(config.cache_dir, size, long_versions) for size in config.sizes]
    seeding = Table(
        "Seeded logs (SQLite, in process: many aggregates per transaction, then every "
        "projection rebuilt)",
        ["events", "seeding s", "events/s", "projections rebuilt s", "this run"],
    )
    for log in logs:
        seeding.add(
            f"{log.events:,}",
            f"{log.seed_seconds:.1f}",
            f"{log.events / log.seed_seconds:,.0f}",
            f"{log.rebuild_seconds:.1f}",
            "reused from the cache" if log.reused else "seeded",
        )
    seeding.notes.append(
        f"Each log: the history, then one introduction of {long_versions:,} events (replies, "
        f"snapshots every 100), counted in the events. Cached under {config.cache_dir}, keyed "
        "by size and a hash of the code that writes the events; the views are rebuilt there "
        "when their code changed."
    )
    # Seeding and rebuilding leave a gigabyte of dirty pages at 1M events: flushed now,
    # not by the kernel while the queries are timed (a run that seeded 1M measured every
    # query at 1M 0.3 to 0.7 ms slower than the next run on the same, cached, files).
    os.sync()
    figures = measure_sizes(logs, config, folder)
    sizes = [log.events for log in logs]
    smallest = sizes[0]
    latency = Table(
        f"Scale: p50 latency (ms) over HTTP, one connection, wrk -d{config.scale_duration:g}s "
        f"per query (median of {config.scale_runs}, the sizes taking turns)",
        [
            "query",
            *[f"{s:,} events" for s in sizes],
            f"largest ratio to {smallest:,}",
            f"goal ≤ {GOAL}×",
        ],
    )
    series: dict[str, list[float]] = {}
    for name in QUERIES:
        values = [figures[s][name] for s in sizes]
        series[name] = values
        # The goal holds at every larger size: the verdict and the ratio shown are the worst.
        larger = zip(values[1:], sizes[1:], strict=True)
        worst, at = max(((v / values[0], size) for v, size in larger), default=(1.0, smallest))
        latency.add(
            f"`{name}`",
            *[ms(v) for v in values],
            f"{times(worst)} at {at:,}",
            verdict(worst <= GOAL),
        )
    bad = sum(figures[s][f"{n}.bad"] for s in sizes for n in QUERIES)
    latency.notes.append(
        "Random ids from 100 introductions proposed across the log (and their introducers); "
        f"`introductionAt` at version {long_versions:,} of the log's {long_versions:,}-event "
        f"introduction; admin token; non-2xx, GraphQL and socket errors over all runs: {bad:.0f}."
    )
    memory = Table(
        "Memory of `serve` after the scale queries (one process, projections embedded)",
        ["events", "VmRSS MiB", "VmHWM (peak) MiB", f"goal < {MEMORY_GOAL_MIB} MiB"],
    )
    for s in sizes:
        memory.add(
            f"{s:,}",
            f"{figures[s]['rss']:.0f}",
            f"{figures[s]['hwm']:.0f}",
            verdict(figures[s]["rss"] < MEMORY_GOAL_MIB),
        )
    return [seeding, latency, memory, audit(logs)], {"sizes": [float(s) for s in sizes], **series}


def audit(logs: list[SeededLog]) -> Table:
    """`verify` over each whole log, after the HTTP runs (their services stopped)."""
    rates = [verify_throughput(log) for log in logs]
    table = Table(
        "Audit: `verify` (every hash chain) over each whole log, in process, one run",
        ["events", "events/s", f"slowdown to {logs[0].events:,}", f"goal ≤ {GOAL}×"],
    )
    for log, events_per_s in zip(logs, rates, strict=True):
        slowdown = ratio(rates[0], events_per_s)
        table.add(f"{log.events:,}", rate(events_per_s), times(slowdown), verdict(slowdown <= GOAL))
    return table


def chart(series: dict[str, list[float]], path: Path) -> Path | None:
    """A PNG of each query's p50 against the log size (log x axis); None without
    matplotlib (the optional `bench` extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    sizes = series["sizes"]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for name, values in series.items():
        if name != "sizes":
            ax.plot(sizes, values, marker="o", label=name)
    ax.set_xscale("log")
    ax.set_xlabel("events in the log")
    ax.set_ylabel("p50 latency (ms), one connection")
    ax.set_ylim(bottom=0)
    ax.set_title("introductions: query latency against log size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
