"""The cost of sealing personal data (domain/personal.py): the in-process command lives
of bench/commands.py and a run of recordReply alone, once through the application as it
is (every personal field sealed, each new aggregate's key written with its first event)
and once through the same application with its keyring taken away, which is the code
path before sealing: fields written plain, no key rows. Same storage, same run."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from bench.commands import COMMANDS_PER_LIFE, life
from bench.config import Config
from bench.report import Table
from bench.seed import register_people
from bench.stats import median_of, rate, ratio, times, verdict
from bench.storages import LABELS, fresh
from domain.application import IntroductionsApp, utc_now
from storage.bootstrap import open_application
from storage.database import Storage

GOAL = 0.9  # of the same service without sealing


def _app(storage: Storage, *, sealed: bool) -> IntroductionsApp:
    app = open_application(storage)
    if not sealed:
        recorder: Any = app.recorder
        app.keyring = recorder.keyring = None
    return app


def lives_per_second(storage: Storage, lives: int, *, sealed: bool) -> tuple[float, float]:
    app = _app(storage, sealed=sealed)
    try:
        introducer, requester, *targets = register_people(
            app, lives + 2, random.Random(), utc_now()
        )
        started, cpu = time.perf_counter(), time.process_time()
        for target in targets:
            life(app, introducer, requester, target)
        return _rates(lives * COMMANDS_PER_LIFE, started, cpu)
    finally:
        app.close()


def replies_per_second(storage: Storage, replies: int, *, sealed: bool) -> tuple[float, float]:
    app = _app(storage, sealed=sealed)
    try:
        introducer, requester, target = register_people(app, 3, random.Random(), utc_now())
        iid = app.propose(introducer, requester, target, "bench context").introduction.id
        app.consent(requester, iid)
        app.consent(target, iid)
        started, cpu = time.perf_counter(), time.process_time()
        for n in range(replies):
            app.record_reply(requester if n % 2 else target, iid, f"Reply {n}: coffee?")
        return _rates(replies, started, cpu)
    finally:
        app.close()


def _rates(commands: int, started: float, cpu: float) -> tuple[float, float]:
    """Commands per second of wall time, and per second of this process's CPU time (on a
    busy machine the second says more about the cost of sealing)."""
    wall = time.perf_counter() - started
    return commands / wall, commands / max(time.process_time() - cpu, 1e-9)


def measure(kind: str, config: Config, folder: Path) -> dict[str, float]:
    lives = max(1, config.commands // COMMANDS_PER_LIFE)

    def one(run: int) -> dict[str, float]:
        figures: dict[str, float] = {}
        # Alternating which goes first, so neither always meets a warmer cache.
        order = (True, False) if run % 2 == 0 else (False, True)
        for sealed in order:
            name = "sealed" if sealed else "plain"
            with fresh(kind, folder, config.postgres_url, f"personal_{name}_{run}") as storage:
                lives_rates = lives_per_second(storage, lives, sealed=sealed)
                reply_rates = replies_per_second(storage, config.commands, sealed=sealed)
                figures[f"{name}_commands"], figures[f"{name}_commands_cpu"] = lives_rates
                figures[f"{name}_replies"], figures[f"{name}_replies_cpu"] = reply_rates
        return figures

    return median_of(config.runs, one)


def run(config: Config, folder: Path) -> Table:
    table = Table(
        f"Sealing personal data: in-process commands with and without it "
        f"({config.commands:,} commands per run; median of {config.runs})",
        [
            "storage",
            "workload",
            "sealed cmd/s",
            "plain cmd/s",
            "sealed / plain",
            "goal ≥ 0.9×",
            "per CPU-second: sealed / plain",
        ],
    )
    for kind in config.kinds:
        r = measure(kind, config, folder)
        for workload, key in (("lives (5 commands)", "commands"), ("recordReply", "replies")):
            share = ratio(r[f"sealed_{key}"], r[f"plain_{key}"])
            table.add(
                LABELS[kind],
                workload,
                rate(r[f"sealed_{key}"]),
                rate(r[f"plain_{key}"]),
                times(share),
                verdict(share >= GOAL),
                times(ratio(r[f"sealed_{key}_cpu"], r[f"plain_{key}_cpu"])),
            )
    table.notes.append(
        "Plain: the same application with its keyring removed, the code path before "
        "sealing. Sealed: AES-256-GCM per personal field; a registration or a proposal "
        "also writes its new key, in the transaction of its first event."
    )
    return table
