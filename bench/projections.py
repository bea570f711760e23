"""Benchmark: catch-up throughput of every projection together, next to the raw rate of
reading and decoding the same notifications with the library.

    /tmp/venv/bin/python -m bench.projections --events 100000 --backend both

Not a test. `append_history` (a fast, valid, synthetic log) is also used by the tests."""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.application import IntroductionsApp
from domain.bootstrap import open_application
from domain.introduction import BurnCause, BurnReason, Introduction
from domain.person import Person
from domain.storage import Storage, parse_database_url

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SAVE_EVERY = 250  # aggregates per transaction while seeding


def append_history(
    app: IntroductionsApp,
    n_events: int,
    *,
    seed: int = 1,
    people: int = 300,
    end: datetime | None = None,
) -> int:
    """Appends about `n_events` events of valid introductions (every outcome, times spread
    over the 400 days before `end`, not in log order), saving many aggregates per
    transaction. Returns the number of events appended."""
    rng = random.Random(seed)
    end = end or datetime(2026, 11, 25, tzinfo=UTC)
    start = end - timedelta(days=400)
    persons = [
        Person.register(
            id=UUID(int=rng.getrandbits(128)),
            display_name=f"Person {i}",
            organization=None,
            offers=None,
            needs=None,
            actor_id="admin",
            at=start,
        )
        for i in range(people)
    ]
    app.save(*persons)
    ids = [str(p.id) for p in persons]
    appended = len(persons)
    pending: list[Any] = []
    while appended < n_events:
        introducer, requester, target = rng.sample(ids, 3)
        at = start + timedelta(minutes=rng.randrange(400 * 24 * 60))
        introduction = Introduction.propose(
            id=UUID(int=rng.getrandbits(128)),
            introducer_id=introducer,
            requester_id=requester,
            target_id=target,
            context="A synthetic introduction for measuring the projections.",
            guidelines=None,
            at=at,
        )
        _live_out(introduction, rng, at)
        appended += introduction.version  # one event per version
        pending.append(introduction)
        if len(pending) >= SAVE_EVERY:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    return appended


def _live_out(introduction: Introduction, rng: random.Random, at: datetime) -> None:
    """Gives a proposed introduction one of the lives of DOMAIN.md's table."""
    requester, target = introduction.parties
    introducer = introduction.introducer_id

    def later(hours: float = 48) -> datetime:
        nonlocal at
        at += timedelta(minutes=1 + rng.randrange(int(hours * 60)))
        return at

    fate = rng.random()
    if fate < 0.10:  # declined, perhaps after one consent
        if rng.random() < 0.5:
            introduction.consent(requester, later())
        introduction.decline(rng.choice((requester, target)), "Not now.", later())
        return
    if fate < 0.15:  # still waiting for consents
        return
    introduction.consent(requester, later())
    introduction.consent(target, later())
    if fate < 0.25:  # consented; nobody replied: it expires, or waits to
        if rng.random() < 0.6:
            introduction.expire(later(24 * 20) + timedelta(days=14), timedelta(days=14))
        return
    for _ in range(rng.choice((1, 1, 2, 3))):
        introduction.record_reply(rng.choice((requester, target)), "Hello!", later())
    if fate < 0.60:
        actor = rng.choice((introducer, requester, target))
        introduction.record_relationship_formed(actor, "Working together.", later(24 * 30))
    elif fate < 0.90:
        introduction.burn(
            rng.choice((introducer, requester, target)),
            rng.choice((requester, target)),
            rng.choice(list(BurnReason)).value,
            rng.choice(list(BurnCause)).value,
            None,
            later(24 * 30),
        )


# --- the measurement -----------------------------------------------------------------


def _fresh_storage(backend: str, workdir: Path) -> Storage:
    if backend == "sqlite":
        return parse_database_url(f"sqlite:///{workdir / 'bench.db'}")
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS bench_projections CASCADE")
        conn.execute("CREATE SCHEMA bench_projections")
    return parse_database_url(f"{POSTGRES_URL}?schema=bench_projections")


def raw_read_and_decode(app: IntroductionsApp, page: int = 2000) -> tuple[int, float, float]:
    """Reads and decodes every notification with the library; (count, seconds, CPU
    seconds of this process)."""
    started, cpu = time.perf_counter(), time.process_time()
    position, count = 0, 0
    decode = app.mapper.to_domain_event
    while True:
        notifications = app.recorder.select_notifications(
            start=position, limit=page, inclusive_of_start=False
        )
        if not notifications:
            break
        for n in notifications:
            decode(n)
        count += len(notifications)
        position = notifications[-1].id
    return count, time.perf_counter() - started, time.process_time() - cpu


def runner_catch_up(storage: Storage, end: int) -> tuple[float, float]:
    """Seconds (and CPU seconds of this process) for a fresh ProjectionsRunner to bring
    every view to `end`."""
    from projections.read_models import ReadModels
    from projections.runner import ProjectionsRunner

    read_models = ReadModels(storage)
    runner = ProjectionsRunner(storage, sweep_interval=3600)
    started, cpu = time.perf_counter(), time.process_time()
    runner.start()
    try:
        while not read_models.wait_for(end, timeout=600):
            pass
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        runner.stop()
        read_models.close()


def measure(backend: str, n_events: int) -> dict[str, float]:
    from projections.rebuild import rebuild

    with tempfile.TemporaryDirectory() as workdir:
        storage = _fresh_storage(backend, Path(workdir))
        app = open_application(storage)
        try:
            started = time.perf_counter()
            appended = append_history(app, n_events)
            seeded = time.perf_counter() - started
            end = app.recorder.max_notification_id() or 0
            count, raw_seconds, raw_cpu = raw_read_and_decode(app)
        finally:
            app.close()
        catch_up_seconds, catch_up_cpu = runner_catch_up(storage, end)
        cpu = time.process_time()
        rebuilt = rebuild(storage)
        rebuild_cpu = time.process_time() - cpu
    raw_rate = count / raw_seconds
    catch_up_rate = count / catch_up_seconds
    rebuild_rate = rebuilt.events / rebuilt.seconds
    print(
        f"{backend}: {appended:,} events appended at {appended / seeded:,.0f}/s\n"
        f"  raw read+decode    {raw_rate:>8,.0f} events/s  ({count / raw_cpu:>8,.0f}/CPU-s)\n"
        f"  catch-up (runner)  {catch_up_rate:>8,.0f} events/s  "
        f"({count / catch_up_cpu:>8,.0f}/CPU-s)  "
        f"= {catch_up_rate / raw_rate:.0%} of raw ({raw_cpu / catch_up_cpu:.0%} by CPU)\n"
        f"  rebuild            {rebuild_rate:>8,.0f} events/s  "
        f"({rebuilt.events / rebuild_cpu:>8,.0f}/CPU-s)  in {rebuilt.seconds:.1f} s",
        flush=True,
    )
    return {"raw": raw_rate, "catch_up": catch_up_rate, "rebuild": rebuild_rate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    for backend in backends:
        measure(backend, args.events)


if __name__ == "__main__":
    main()
