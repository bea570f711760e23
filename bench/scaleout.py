"""Mutation throughput on PostgreSQL with `serve --workers 2` and a separate `worker`,
beside one `serve` process on SQLite, in the same runs (the `recordReply` load of the
HTTP part)."""

from __future__ import annotations

from pathlib import Path

from bench import server, wrk
from bench.config import Config
from bench.http import READY_TIMEOUT, interleaved, load_cells, reply_load, seed_story
from bench.report import Table
from bench.stats import ratio, times
from bench.storages import postgres, sqlite


def run(config: Config, folder: Path) -> Table | None:
    if not config.postgres_url:
        return None
    wrk.require_wrk()
    lite = sqlite(folder, "scaleout")
    lite_story = seed_story(lite)
    with postgres(config.postgres_url, "scaleout") as pg:
        pg_story = seed_story(pg)
        processes = {
            "sqlite": server.serve(lite.url, folder, name="serve-sqlite"),
            "worker": server.worker(pg.url, folder),
            "postgres": server.serve(pg.url, folder, workers=2, name="serve-postgres"),
        }
        with server.running(*processes.values()):
            processes["sqlite"].wait_until("/readyz", READY_TIMEOUT)
            processes["postgres"].wait_until("/readyz", READY_TIMEOUT)
            targets = {
                "sqlite": (processes["sqlite"].url, reply_load(lite_story)),
                "postgres": (processes["postgres"].url, reply_load(pg_story)),
            }
            r = interleaved(targets, config)
    table = Table(
        f"`recordReply` over HTTP, wrk -c{config.connections} -d{config.duration:g}s "
        f"(median of {config.runs})",
        ["deployment", "requests/s", "p50 ms", "p99 ms", "non-2xx", "ratio to SQLite"],
    )
    labels = {
        "sqlite": "SQLite, one `serve` (projections and webhooks embedded)",
        "postgres": "PostgreSQL, `serve --workers 2` + one `worker`",
    }
    for kind, label in labels.items():
        table.add(
            label,
            *load_cells(r, kind),
            times(ratio(r[f"{kind}.rps"], r["sqlite.rps"])),
        )
    table.notes.append(
        "On PostgreSQL the mutation waits for the separate worker's projections "
        "(LISTEN/NOTIFY) before it answers; all processes share the machine's CPUs."
    )
    return table
