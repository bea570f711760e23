"""The person cache: a person can change (PersonProfileUpdated), so commands read each
person through the library's fast-forward aggregate cache (the cached person, plus the
events recorded since by any process, in one read) instead of trusting a cached copy.
Measured as proposals/s (each reads its three people) with that cache and with no
aggregate cache at all (every person read from its events), in the same run."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import random
import time
from pathlib import Path

from bench.config import Config
from bench.report import Table
from bench.seed import register_people
from bench.stats import median_of, rate, ratio, times
from bench.storages import LABELS, fresh
from domain.application import utc_now
from domain.introduction import ADMIN
from storage.bootstrap import open_application
from storage.database import Storage

PEOPLE = 60
CHUNK = 25
NO_CACHE = {"AGGREGATE_CACHE_MAXSIZE": ""}  # the library then keeps no aggregate cache


def proposals_per_second(storages: dict[str, Storage], proposals: int) -> dict[str, float]:
    """Proposals/s of each application (label "cached" or "uncached", one storage each):
    the same proposals of distinct pairs of PEOPLE people, each of whom updated their
    profile once (two events each), untimed. The applications take turns CHUNK proposals
    at a time, each its own transaction, so that a busy moment of the machine slows both."""
    apps = {
        label: open_application(
            dataclasses.replace(s, env=s.env if label == "cached" else {**s.env, **NO_CACHE})
        )
        for label, s in storages.items()
    }
    try:
        trios: dict[str, list[tuple[str, str, str]]] = {}
        for label, app in apps.items():
            rng = random.Random(3)
            people = register_people(app, PEOPLE, rng, utc_now())
            for person in people:
                app.update_profile(ADMIN, person, offers=["advice"])
            pairs = rng.sample(list(itertools.combinations(people, 2)), proposals)
            trios[label] = [
                (rng.choice([p for p in people if p not in pair]), *pair) for pair in pairs
            ]
        seconds = dict.fromkeys(apps, 0.0)
        for start in range(0, proposals, CHUNK):
            for label, app in apps.items():
                started = time.perf_counter()
                for introducer, requester, target in trios[label][start : start + CHUNK]:
                    app.propose(introducer, requester, target, "bench")
                seconds[label] += time.perf_counter() - started
        return {label: proposals / spent for label, spent in seconds.items()}
    finally:
        for app in apps.values():
            app.close()


def run(config: Config, folder: Path) -> Table:
    proposals = max(50, config.commands // 4)
    table = Table(
        f"Person reads in commands: proposals/s with the fast-forward aggregate cache and "
        f"with no cache ({proposals:,} proposals each per run, taking turns {CHUNK} at a time; "
        f"median of {config.runs})",
        ["storage", "fast-forward cache", "no cache", "cache / no cache"],
    )
    for kind in config.kinds:

        def one(run: int, kind: str = kind) -> dict[str, float]:
            with contextlib.ExitStack() as stack:
                storages = {
                    label: stack.enter_context(
                        fresh(kind, folder, config.postgres_url, f"cache_{label}_{run}")
                    )
                    for label in ("cached", "uncached")
                }
                return proposals_per_second(storages, proposals)

        r = median_of(config.runs, one)
        table.add(
            LABELS[kind],
            rate(r["cached"]),
            rate(r["uncached"]),
            times(ratio(r["cached"], r["uncached"])),
        )
    table.notes.append(
        f"{PEOPLE} people, each registered and then updating their profile (two events); "
        "a proposal reads its introducer, requester and target. With the cache each read "
        "asks only for the events after the cached version (by any process), so an update "
        "made elsewhere is never missed; without it each read loads the person's events."
    )
    return table
