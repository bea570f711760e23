"""What one benchmark invocation measures and where it keeps things: the command line
becomes a Config, and every part reads its sizes from it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POSTGRES_URL_VARIABLE = "INTRODUCTIONS_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "introductions-bench"
FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)


@dataclass(frozen=True)
class Config:
    quick: bool
    runs: int
    duration: int  # seconds of each wrk load run (wrk takes whole seconds)
    sizes: tuple[int, ...]  # events in the log, for the scale part
    postgres_url: str | None  # a database the benchmark may create schemas in; None: skip
    cache_dir: Path  # seeded logs, reused across invocations
    results_dir: Path  # the chart and the last run's Markdown
    write: bool  # the run replaces the previous one in BENCHMARKS.md
    connections: int
    commands: int  # in-process commands per run (a multiple of 5: one introduction's life)
    projection_events: int
    webhook_events: int
    webhook_endpoints: tuple[int, ...]

    @property
    def kinds(self) -> list[str]:
        """The storages to measure: SQLite, and PostgreSQL when there is one."""
        return ["sqlite", "postgres"] if self.postgres_url else ["sqlite"]

    @property
    def scale_runs(self) -> int:
        """Twice the runs: the scale figures are about a millisecond, where 0.2 ms of the
        machine's noise is already the goal's 20% (three runs of the same code gave one
        query 1.05x, 1.10x and 1.23x)."""
        return 2 * self.runs

    @property
    def scale_duration(self) -> int:
        """Seconds of wrk per query and size: one connection, so a few seconds suffice."""
        return max(1, round(self.duration / 3))


def make_config(
    *,
    quick: bool,
    runs: int | None,
    duration: int | None,
    sizes: str | None,
    postgres_url: str | None,
    no_postgres: bool,
    cache_dir: Path | None,
    results_dir: Path | None,
    write: bool,
    connections: int,
) -> Config:
    if no_postgres:
        postgres_url = None
    elif postgres_url is None:
        postgres_url = os.environ.get(POSTGRES_URL_VARIABLE) or DEFAULT_POSTGRES_URL
    chosen_sizes = (
        tuple(sorted(int(s.replace("_", "")) for s in sizes.split(",")))
        if sizes
        else QUICK_SIZES
        if quick
        else FULL_SIZES
    )
    return Config(
        quick=quick,
        runs=runs if runs is not None else (1 if quick else 3),
        duration=duration if duration is not None else (1 if quick else 10),
        sizes=chosen_sizes,
        postgres_url=postgres_url,
        cache_dir=cache_dir or DEFAULT_CACHE,
        results_dir=results_dir or REPO / "bench" / "results",
        write=write,
        connections=connections,
        commands=100 if quick else 2_000,  # 500 took under a second: a hiccup swung the ratio
        projection_events=3_000 if quick else 50_000,
        webhook_events=150 if quick else 600,
        webhook_endpoints=(1,) if quick else (1, 5),
    )
