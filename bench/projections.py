"""Projection catch-up: a fresh ProjectionsRunner folding every view from an empty
start, against the raw rate of reading and decoding the same notifications with the
library (select_notifications + the mapper), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

from bench.config import Config
from bench.report import Table
from bench.seed import append_history
from bench.stats import median_of, rate, share_cells
from bench.storages import LABELS, fresh
from domain.application import IntroductionsApp, utc_now
from storage.bootstrap import open_application
from storage.database import Storage

GOAL = 0.25  # of raw read-and-decode


def raw_read_and_decode(app: IntroductionsApp, page: int = 2000) -> tuple[int, float]:
    """(notifications, seconds) to read and decode the whole log."""
    started = time.perf_counter()
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
    return count, time.perf_counter() - started


def runner_catch_up(storage: Storage, end: int) -> float:
    """Seconds for a fresh ProjectionsRunner to bring every view, dropped first, to `end`."""
    from projections import progress
    from projections.read_models import ReadModels
    from projections.registry import open_views
    from projections.runner import ProjectionsRunner
    from projections.settings import half_life_from_environment

    views = open_views(storage, half_life_days=half_life_from_environment(), clock=utc_now)
    for view in views.by_name.values():
        view.drop()
    views.close()
    read_models = ReadModels(storage)
    runner = ProjectionsRunner(storage, sweep_interval=3600)
    started = time.perf_counter()
    runner.start()
    try:
        # Woken by each commit of the runner, which announces its position in memory
        # (having forgotten, on start, what an earlier runner announced for the views
        # dropped above): polling the five views' positions every 10 ms instead cost
        # the run about a tenth of its samples (py-spy, PostgreSQL).
        while (progress.reached(storage.url) or 0) < end:
            progress.wait_past(storage.url, end, 0.05)
        elapsed = time.perf_counter() - started
        assert read_models.position() >= end, "the views' own positions disagree"
        return elapsed
    finally:
        runner.stop()
        read_models.close()


def measure(storage: Storage, events: int, runs: int) -> dict[str, float]:
    app = open_application(storage)
    try:
        append_history(app, events)
        end = app.recorder.max_notification_id() or 0
    finally:
        app.close()

    def one(_: int) -> dict[str, float]:
        app = open_application(storage)
        try:
            count, raw = raw_read_and_decode(app)
        finally:
            app.close()
        return {"raw": count / raw, "catch_up": count / runner_catch_up(storage, end)}

    return {"events": float(end), **median_of(runs, one)}


def run(config: Config, folder: Path) -> Table:
    table = Table(
        f"Projection catch-up, all views from empty ({config.projection_events:,} events; "
        f"median of {config.runs})",
        [
            "storage",
            "raw read + decode events/s",
            "catch-up events/s",
            "catch-up / raw",
            f"goal ≥ {GOAL:.0%}",
        ],
    )
    for kind in config.kinds:
        with fresh(kind, folder, config.postgres_url, "projections") as storage:
            r = measure(storage, config.projection_events, config.runs)
        table.add(
            LABELS[kind],
            rate(r["raw"]),
            rate(r["catch_up"]),
            *share_cells(r["catch_up"], r["raw"], GOAL),
        )
    table.notes.append(
        "The views (reputation and leaderboard, track record, introduction list, expiry "
        "candidates) are dropped before each run; raw reads pages of 2,000."
    )
    return table
