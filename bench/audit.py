"""Audit benchmarks, on a SQLite file.

1. introduction_at latency at versions 10, 1,000 and 10,000 of one 10,000-event
   introduction, with snapshots (every 100 events) and without (a full replay), by
   version and by instant (binary search over versions), against a scan of all events;
   and the time to check its 100 snapshots against its events (verify --snapshots).
2. verify throughput in events/s over a log of N events (default 1,000,000) made of
   introductions of --per-aggregate events each.

    python -m bench.audit [--events N] [--per-aggregate K] [--db PATH]
                          [--time-travel-url URL] [--skip-verify]

With --db, an existing file seeded by an earlier run is reused (seeding is the slow
part); without it, a temporary file is used and removed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from uuid import uuid4

from bench.seed import build_long_introduction, time_of
from domain.application import IntroductionsApp
from domain.audit import verify_log
from domain.introduction import ADMIN
from domain.snapshot_audit import verify_snapshots
from storage.bootstrap import open_application
from storage.database import parse_database_url

LONG = 10_000
PROBES = (10, 1_000, 10_000)


class WithoutSnapshots(IntroductionsApp):
    """The same application, reconstructing every state from its events alone."""

    name = IntroductionsApp.name  # the same tables on PostgreSQL (they are named after it)
    is_snapshotting_enabled = False
    snapshotting_intervals = {}  # noqa: RUF012


def median_ms(call: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench_time_travel(url: str) -> None:
    app = open_application(parse_database_url(url))
    people = [str(app.register_person(ADMIN, n).person.id) for n in ("A", "B", "C")]
    introduction_id = build_long_introduction(app, LONG, people)
    plain = WithoutSnapshots(env=parse_database_url(url).env)
    print(f"introduction_at on one {LONG:,}-event introduction (median ms):")
    print("| version | by version, snapshots | by instant, snapshots | no snapshots |")
    print("|---:|---:|---:|---:|")
    for version in PROBES:
        instant = time_of(version) + timedelta(seconds=0.5)
        by_version = median_ms(partial(app.introduction_at, introduction_id, version), 50)
        by_instant = median_ms(partial(app.introduction_at, introduction_id, at=instant), 50)
        replayed = median_ms(partial(plain.introduction_at, introduction_id, version), 5)
        print(f"| {version:,} | {by_version:.2f} | {by_instant:.2f} | {replayed:.1f} |")
    scan = median_ms(lambda: list(app.events.get(introduction_id)), 5)
    print(f"(a scan of all {LONG:,} events, as `at` did before: {scan:.1f} ms)")
    started = time.perf_counter()
    assert not verify_snapshots(app, [str(introduction_id)])
    seconds = time.perf_counter() - started
    print(f"verify --snapshots on it ({LONG // 100} snapshots): {seconds * 1000:.0f} ms")
    plain.close()
    app.close()


def seed_log(url: str, events: int, per_aggregate: int) -> None:
    app = WithoutSnapshots(env=parse_database_url(url).env)  # verify never reads snapshots
    existing = app.recorder.max_notification_id() or 0
    if existing >= events:
        print(f"reusing {existing:,} events already in the log")
        app.close()
        return
    people = [str(app.register_person(ADMIN, n).person.id) for n in ("A", "B", "C")]
    started = time.perf_counter()
    written = existing + 3
    while written < events:
        versions = max(4, min(per_aggregate, events - written))
        build_long_introduction(app, versions, people, uuid4())
        written += versions
    seconds = time.perf_counter() - started
    print(f"seeded {written - existing:,} events in {seconds:.0f}s")
    app.close()


def bench_verify(url: str) -> None:
    app = open_application(parse_database_url(url))
    started = time.perf_counter()
    report = verify_log(app)
    seconds = time.perf_counter() - started
    app.close()
    assert report.ok, report.first_finding
    print(
        f"verify: {report.events:,} events in {report.aggregates:,} aggregates in "
        f"{seconds:.1f}s = {report.events / seconds:,.0f} events/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-aggregate", type=int, default=100)
    parser.add_argument("--db", type=Path, help="SQLite file to seed or reuse")
    parser.add_argument(
        "--time-travel-url", help="database for the time travel part (default: a SQLite file)"
    )
    parser.add_argument("--skip-verify", action="store_true", help="only time travel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench_time_travel(args.time_travel_url or f"sqlite:///{Path(folder) / 'long.db'}")
        if args.skip_verify:
            return
        log = args.db or Path(folder) / "log.db"
        seed_log(f"sqlite:///{log}", args.events, args.per_aggregate)
        bench_verify(f"sqlite:///{log}")


if __name__ == "__main__":
    main()
