"""The person cache: a person can change (PersonProfileUpdated), so commands read each
person through the library's fast-forward aggregate cache (the cached person, plus the
events recorded since by any process, in one read) instead of trusting a cached copy.
Measured as proposals/s (each reads its three people) with that cache and with no
aggregate cache at all (every person read from its events), in the same run."""

from __future__ import annotations

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
NO_CACHE = {"AGGREGATE_CACHE_MAXSIZE": ""}  # the library then keeps no aggregate cache


def proposals_per_second(storage: Storage, proposals: int, *, cache: bool) -> float:
    """Proposals of distinct pairs of PEOPLE people, each of whom updated their profile once (two
    events each), untimed; then `proposals` proposals, each its own transaction."""
    env = storage.env if cache else {**storage.env, **NO_CACHE}
    app = open_application(dataclasses.replace(storage, env=env))
    try:
        rng = random.Random(3)
        people = register_people(app, PEOPLE, rng, utc_now())
        for person in people:
            app.update_profile(ADMIN, person, offers=["advice"])
        pairs = rng.sample(list(itertools.combinations(people, 2)), proposals)
        trios = [(rng.choice([p for p in people if p not in pair]), *pair) for pair in pairs]
        started = time.perf_counter()
        for introducer, requester, target in trios:
            app.propose(introducer, requester, target, "bench")
        return proposals / (time.perf_counter() - started)
    finally:
        app.close()


def run(config: Config, folder: Path) -> Table:
    proposals = max(50, config.commands // 4)
    table = Table(
        f"Person reads in commands: proposals/s with the fast-forward aggregate cache and "
        f"with no cache ({proposals:,} proposals per run, median of {config.runs})",
        ["storage", "fast-forward cache", "no cache", "cache / no cache"],
    )
    for kind in config.kinds:

        def one(run: int, kind: str = kind) -> dict[str, float]:
            figures = {}
            for label, cache in (("cached", True), ("uncached", False)):
                with fresh(kind, folder, config.postgres_url, f"cache_{label}_{run}") as s:
                    figures[label] = proposals_per_second(s, proposals, cache=cache)
            return figures

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
