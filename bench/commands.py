"""Command throughput in process: the service's commands through IntroductionsApp,
against the library floor and raw inserts with the driver, on SQLite and PostgreSQL.

One "life" is five commands, each its own transaction: propose, two consents, a reply
and a relationship formed. The people are registered beforehand, untimed."""

from __future__ import annotations

import random
import time
from pathlib import Path

from bench.config import Config
from bench.floors import library_floor_lives, raw_inserts
from bench.report import Table
from bench.seed import register_people
from bench.stats import median_of, rate, ratio, share_cells, times
from bench.storages import LABELS, fresh
from domain.application import IntroductionsApp, utc_now
from storage.bootstrap import open_application
from storage.database import Storage

COMMANDS_PER_LIFE = 5
GOAL = 0.7  # of the library floor


def life(app: IntroductionsApp, introducer: str, requester: str, target: str) -> None:
    """One introduction's life: five commands, each its own transaction."""
    iid = app.propose(introducer, requester, target, "bench").introduction.id
    app.consent(requester, iid)
    app.consent(target, iid)
    app.record_reply(requester, iid, "Hello!")
    app.record_relationship_formed(introducer, iid, "Working together.")


def service_lives(storage: Storage, lives: int) -> tuple[float, list[tuple]]:
    """Seconds for `lives` lives through the application, and the rows they wrote."""
    app = open_application(storage)
    try:
        people = register_people(app, lives + 2, random.Random(), utc_now())
        introducer, requester, *targets = people
        first = app.recorder.max_notification_id() or 0
        started = time.perf_counter()
        for target in targets:
            life(app, introducer, requester, target)
        seconds = time.perf_counter() - started
        written = app.recorder.select_notifications(start=first + 1, limit=lives * 10)
        rows = [(n.originator_id, n.originator_version, n.topic, n.state) for n in written]
        return seconds, rows
    finally:
        app.close()


def measure(kind: str, config: Config, folder: Path) -> dict[str, float]:
    lives = max(1, config.commands // COMMANDS_PER_LIFE)
    commands = lives * COMMANDS_PER_LIFE

    def one(run: int) -> dict[str, float]:
        with fresh(kind, folder, config.postgres_url, f"commands_{run}") as storage:
            ours, rows = service_lives(storage, lives)
            floor = library_floor_lives(storage, lives)
            raw = raw_inserts(storage, [tuple(r) for r in rows[:commands]])
        return {
            "ours": commands / ours,
            "floor": commands / floor,
            "raw": commands / raw,
            "rows_per_command": len(rows) / commands,
        }

    return median_of(config.runs, one)


def run(config: Config, folder: Path) -> Table:
    table = Table(
        f"Command throughput in process ({config.commands:,} commands per run, one "
        f"transaction each; median of {config.runs})",
        [
            "storage",
            "service cmd/s",
            "library floor cmd/s",
            "service / floor",
            "goal ≥ 0.7×",
            "raw driver rows/s",
            "floor / raw",
        ],
    )
    for kind in config.kinds:
        r = measure(kind, config, folder)
        table.add(
            LABELS[kind],
            rate(r["ours"]),
            rate(r["floor"]),
            *share_cells(r["ours"], r["floor"], GOAL),
            rate(r["raw"]),
            times(ratio(r["floor"], r["raw"])),
        )
        rows_per_command = r["rows_per_command"]
    table.notes.append(
        "A life is propose, consent ×2, recordReply, recordRelationshipFormed; the service "
        f"wrote {rows_per_command:.2f} rows per command (the pair index with each proposal). "
        "Raw: the same number of rows (the service's own, copied) inserted one per "
        "transaction with sqlite3 / psycopg, WAL on SQLite as the library sets it."
    )
    return table
