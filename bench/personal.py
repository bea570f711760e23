"""The cost of sealing personal data (domain/personal.py), in the same runs: the
in-process command lives of bench/commands.py and a run of recordReply alone, and
`recordReply` over HTTP under bench http's wrk load. Each once through the service as
it is (every personal field sealed, each new aggregate's key written with its first
event) and once with no keyring (bench/unsealed.py), which is the code path before
sealing: fields written plain, no key rows. Each on a storage of its own."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from bench import server, wrk
from bench.commands import COMMANDS_PER_LIFE, life
from bench.config import Config
from bench.http import INTRODUCTIONS, READY_TIMEOUT, reply_load, reply_once, seed_story
from bench.idle import cpu_seconds
from bench.report import Table
from bench.seed import register_people
from bench.stats import median_of, rate, ratio, share_cells, times
from bench.storages import LABELS, fresh
from bench.storages import sqlite as sqlite_storage
from bench.unsealed import without_sealing
from domain.application import IntroductionsApp, utc_now
from storage.bootstrap import open_application
from storage.database import Storage

GOAL = 0.9  # of the same service without sealing
SLICE = 10  # lives, or replies, timed at a time before the other application's turn
VARIANTS = ("sealed", "plain")
Steps = list[Callable[[], object]]


def _open(storage: Storage, label: str) -> IntroductionsApp:
    if label == "sealed":
        return open_application(storage)
    with without_sealing():
        return open_application(storage)


def lives(app: IntroductionsApp, count: int) -> Steps:
    """`count` introduction lives (COMMANDS_PER_LIFE commands each), people registered now."""
    introducer, requester, *targets = register_people(app, count + 2, random.Random(), utc_now())
    return [partial(life, app, introducer, requester, target) for target in targets]


def replies(app: IntroductionsApp, count: int) -> Steps:
    """`count` replies on one consented introduction, its parties taking turns."""
    introducer, requester, target = register_people(app, 3, random.Random(), utc_now())
    iid = app.propose(introducer, requester, target, "bench context").introduction.id
    app.consent(requester, iid)
    app.consent(target, iid)
    return [
        partial(app.record_reply, requester if n % 2 else target, iid, f"Reply {n}: coffee?")
        for n in range(count)
    ]


def in_turns(steps: dict[str, Steps], commands_per_step: int) -> dict[str, float]:
    """Commands/s of each label's steps, per second of wall time and ("label_cpu") of
    this process's CPU time (on a busy machine the second says more). The labels take
    turns SLICE steps at a time, the first of each turn alternating, so that a busy moment
    of the machine or a warmer cache slows or helps them alike."""
    wall, cpu = dict.fromkeys(steps, 0.0), dict.fromkeys(steps, 0.0)
    count = len(next(iter(steps.values())))
    for turn, start in enumerate(range(0, count, SLICE)):
        for label in list(steps)[:: 1 if turn % 2 == 0 else -1]:
            started, cpu_started = time.perf_counter(), time.process_time()
            for step in steps[label][start : start + SLICE]:
                step()
            wall[label] += time.perf_counter() - started
            cpu[label] += time.process_time() - cpu_started
    commands = count * commands_per_step
    figures = {label: commands / spent for label, spent in wall.items()}
    figures |= {f"{label}_cpu": commands / max(spent, 1e-9) for label, spent in cpu.items()}
    return figures


def measure(kind: str, config: Config, folder: Path) -> dict[str, float]:
    count = max(1, config.commands // COMMANDS_PER_LIFE)

    def one(run: int) -> dict[str, float]:
        with ExitStack() as stack:
            apps = {}
            for label in VARIANTS:
                name = f"personal_{label}_{run}"
                storage = stack.enter_context(fresh(kind, folder, config.postgres_url, name))
                apps[label] = _open(storage, label)
                stack.callback(apps[label].close)
            life_steps = {label: lives(app, count) for label, app in apps.items()}
            reply_steps = {label: replies(app, config.commands) for label, app in apps.items()}
            figures = {
                f"commands.{k}": v for k, v in in_turns(life_steps, COMMANDS_PER_LIFE).items()
            }
            figures |= {f"replies.{k}": v for k, v in in_turns(reply_steps, 1).items()}
            return figures

    return median_of(config.runs, one)


def over_http(config: Config, folder: Path) -> dict[str, float]:
    """bench http's `recordReply` load on a sealed `serve` and an unsealed one, each on a
    SQLite file of its own, taking turns within each run (the first alternating): wrk's
    figures, keyed "label.figure", and "label.cpu_rps", requests per CPU-second of the
    `serve` process (the other one idles meanwhile)."""
    wrk.require_wrk()
    stories, services = {}, {}
    for label in VARIANTS:
        storage = sqlite_storage(folder, f"personal_http_{label}")
        with ExitStack() as stack:
            if label == "plain":
                stack.enter_context(without_sealing())
            stories[label] = seed_story(storage)
        name = f"serve-{label}"
        services[label] = server.serve(storage.url, folder, name=name, unsealed=label == "plain")

    def one(run: int) -> dict[str, float]:
        figures: dict[str, float] = {}
        for label in VARIANTS[:: -1 if run % 2 else 1]:
            pid, load = services[label].popen.pid, reply_load(stories[label])
            cpu = cpu_seconds(pid)
            r = wrk.run(
                services[label].url, load, duration=config.duration, connections=config.connections
            )
            r["cpu_rps"] = r["rps"] * config.duration / max(cpu_seconds(pid) - cpu, 1e-9)
            figures |= {f"{label}.{key}": value for key, value in r.items()}
        return figures

    with server.running(*services.values()):
        for label, service in services.items():
            service.wait_until("/readyz", READY_TIMEOUT)
            reply_once(service.url, stories[label], stories[label].introductions[0])  # warm
        figures = median_of(config.runs, one)
    for label in VARIANTS:  # each service wrote what its label says
        rows = key_rows(folder / f"personal_http_{label}.db")
        if (rows > 0) != (label == "sealed"):
            raise SystemExit(f"serve-{label} left {rows} key rows: not what it measures")
    return figures


def key_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM personal_keys").fetchone()[0])


def run(config: Config, folder: Path) -> Table:
    table = Table(
        f"Sealing personal data: commands in process and `recordReply` over HTTP, with and "
        f"without it ({config.commands:,} commands per run in process, wrk "
        f"-c{config.connections} -d{config.duration:g}s over HTTP; median of {config.runs})",
        [
            "storage",
            "workload",
            "sealed cmd/s",
            "plain cmd/s",
            "sealed / plain",
            f"goal ≥ {GOAL}×",
            "per CPU-second: sealed / plain",
        ],
    )

    def add(storage: str, workload: str, r: dict[str, float], key: str, cpu: str) -> None:
        sealed, plain = r[f"{key}.sealed"], r[f"{key}.plain"]
        table.add(
            storage, workload, rate(sealed), rate(plain), *share_cells(sealed, plain, GOAL), cpu
        )

    for kind in config.kinds:
        r = measure(kind, config, folder)
        for workload, key in (("lives (5 commands)", "commands"), ("recordReply", "replies")):
            cpu = times(ratio(r[f"{key}.sealed_cpu"], r[f"{key}.plain_cpu"]))
            add(LABELS[kind], workload, r, key, cpu)
    r = over_http(config, folder)
    r |= {f"http.{label}": r[f"{label}.rps"] for label in VARIANTS}
    cpu = times(ratio(r["sealed.cpu_rps"], r["plain.cpu_rps"]))
    add(f"{LABELS['sqlite']}, `serve`", "`recordReply` over HTTP (requests/s)", r, "http", cpu)
    table.notes.append(
        "Plain: the same application with no keyring (bench/unsealed.py), the code path "
        "before sealing. Sealed: AES-256-GCM per personal field; a registration or a "
        "proposal also writes its new key, in the transaction of its first event. In "
        f"process the two take turns {SLICE} lives (or replies) at a time within each run."
    )
    bad = {
        label: r[f"{label}.non2xx"] + r[f"{label}.socket_errors"] + r[f"{label}.errors"]
        for label in VARIANTS
    }
    table.notes.append(
        f"Over HTTP: bench http's `recordReply` load ({INTRODUCTIONS} consented introductions, "
        "a reply picks one at random) on a sealed `serve` and on `python -m bench.unsealed serve`, "
        "each on a SQLite file of its own, taking turns within each run (CPU-seconds: of the "
        "`serve` process during its load); answers not 200 "
        f"or with GraphQL errors (lost races): sealed {bad['sealed']:.0f}, "
        f"plain {bad['plain']:.0f}."
    )
    return table
