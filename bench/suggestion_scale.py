"""suggestedIntroductions as the directory grows: its p50 on directories of 1,000 and
100,000 people (bench/suggestion_seed.py), as the connector whose network is a fifth of
the directory and as the admin whose network is everyone, in process (the query alone)
and over HTTP (one connection, as the scale part measures), each as a ratio to 1,000."""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench import server, wrk
from bench.config import Config
from bench.report import Table
from bench.seeded import EVENTS_CODE, VIEWS_CODE, _checkpoint, _settle, code_hash
from bench.stats import median_of, ms, times, verdict
from bench.suggestion_seed import NETWORK_SHARE
from domain.application import utc_now
from domain.introduction import ADMIN
from storage.bootstrap import open_application
from storage.database import parse_database_url

SIZES = (1_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
GOAL = 1.2
CALLS = 300  # in-process calls per figure
QUERY = (
    "{ suggestedIntroductions(first: 10) { score reasons "
    "requester { displayName } target { displayName } } }"
)
SEED_CODE = (*EVENTS_CODE, "bench/suggestion_seed.py")


@dataclass(frozen=True)
class Directory:
    path: Path
    people: int
    events: int
    connector: str
    connector_token: str
    seed_seconds: float
    rebuild_seconds: float
    reused: bool

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


def directory(cache_dir: Path, people: int) -> Directory:
    """The seeded directory of `people`, from the cache when its code is unchanged."""
    from bench.suggestion_seed import seed_directory
    from projections.rebuild import rebuild

    folder = cache_dir / f"suggestions-{people}-{code_hash(SEED_CODE)}"
    path, meta = folder / "log.db", folder / "meta.json"
    if meta.exists() and path.exists():
        storage = parse_database_url(f"sqlite:///{path}")
        data = json.loads(meta.read_text())
        if data.pop("views") != code_hash(VIEWS_CODE):
            data["rebuild_seconds"] = rebuild(storage).seconds
            meta.write_text(json.dumps({**data, "views": code_hash(VIEWS_CODE)}))
        _settle(storage)
        return Directory(path=path, reused=True, **data)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob("*.db*"):
        leftover.unlink()
    building = folder / "building.db"
    storage = parse_database_url(f"sqlite:///{building}")
    app = open_application(storage)
    try:
        started = time.perf_counter()
        connector = seed_directory(app, people)
        seed_seconds = time.perf_counter() - started
        token, _ = app.issue_token(ADMIN, connector)
        events = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    data = {
        "people": people,
        "events": events,
        "connector": connector,
        "connector_token": token,
        "seed_seconds": seed_seconds,
        "rebuild_seconds": rebuild(storage).seconds,
    }
    _settle(storage)
    _checkpoint(building)
    building.rename(path)
    meta.write_text(json.dumps({**data, "views": code_hash(VIEWS_CODE)}))
    return Directory(path=path, reused=False, **data)


def in_process(dirs: list[Directory]) -> dict[str, float]:
    """The p50 in ms of the query itself (projections/suggestions.suggest), and how many
    suggestions it found, as the connector and as the admin, by "people|who". The sizes
    take turns call by call, so that a busy moment of the machine slows each alike."""
    from projections.registry import open_views
    from projections.suggestions import suggest

    views = {
        d.people: open_views(parse_database_url(d.url), half_life_days=180.0, clock=utc_now)
        for d in dirs
    }
    figures: dict[str, float] = {}
    try:
        for who, everyone in (("connector", False), ("admin", True)):
            seconds: dict[int, list[float]] = {d.people: [] for d in dirs}
            for d in dirs:  # warm, and counted
                found = suggest(views[d.people], d.connector, everyone=everyone)
                figures[f"{d.people}|{who}.found"] = len(found)
            for _ in range(CALLS):
                for d in dirs:
                    started = time.perf_counter()
                    suggest(views[d.people], d.connector, everyone=everyone)
                    seconds[d.people].append(time.perf_counter() - started)
            for people, spent in seconds.items():
                figures[f"{people}|{who}"] = 1000 * statistics.median(spent)
    finally:
        for view in views.values():
            view.close()
    return figures


def over_http(dirs: list[Directory], config: Config, folder: Path) -> dict[str, float]:
    """The p50 in ms over HTTP, one `serve` per directory, the sizes taking turns."""
    services = {
        d.people: server.serve(d.url, folder, name=f"serve-suggestions-{d.people}") for d in dirs
    }
    with server.running(*services.values()):
        for service in services.values():
            service.wait_until("/readyz", 600.0)

        def one(_: int) -> dict[str, float]:
            results: dict[str, float] = {}
            for d in dirs:
                for who, token in (("connector", d.connector_token), ("admin", server.ADMIN_TOKEN)):
                    lua = wrk.script(["-"], QUERY, token)
                    url = services[d.people].url
                    r = wrk.run(url, lua, duration=config.scale_duration, connections=1)
                    results[f"{d.people}|{who}"] = r["p50"]
                    bad = r["non2xx"] + r["errors"] + r["socket_errors"]
                    results[f"{d.people}|{who}.bad"] = bad
            return results

        return median_of(config.scale_runs, one)


def run(config: Config, folder: Path) -> list[Table]:
    wrk.require_wrk()
    dirs = [directory(config.cache_dir, n) for n in (QUICK_SIZES if config.quick else SIZES)]
    os.sync()
    local = median_of(config.runs, lambda _: in_process(dirs))
    http = over_http(dirs, config, folder)
    smallest, largest = dirs[0].people, dirs[-1].people
    table = Table(
        f"suggestedIntroductions(first: 10): p50 (ms) from {smallest:,} to {largest:,} people",
        [
            "as",
            "where",
            *[f"{d.people:,} people" for d in dirs],
            f"ratio {largest:,} / {smallest:,}",
            f"goal ≤ {GOAL}×",
        ],
    )
    for who in ("connector", "admin"):
        for where, values in (
            ("in process", [local[f"{d.people}|{who}"] for d in dirs]),
            ("HTTP", [http[f"{d.people}|{who}"] for d in dirs]),
        ):
            worst = values[-1] / values[0]
            table.add(who, where, *[ms(v) for v in values], times(worst), verdict(worst <= GOAL))
    bad = sum(v for k, v in http.items() if k.endswith(".bad"))
    table.notes += [
        "Seeded: "
        + "; ".join(
            f"{d.people:,} people, {d.events:,} events in {d.seed_seconds:.0f} s "
            f"({'reused' if d.reused else 'seeded'}), views built in {d.rebuild_seconds:.0f} s"
            for d in dirs
        ),
        "Offers and needs from 30 fields × 10 kinds; the connector introduced a fifth of "
        "the directory (network "
        + ", ".join(f"{d.people // NETWORK_SHARE:,}" for d in dirs)
        + "); suggestions found: "
        + ", ".join(
            f"{local[f'{d.people}|connector.found']:.0f} / {local[f'{d.people}|admin.found']:.0f}"
            for d in dirs
        )
        + f" (connector / admin). In process: median of {CALLS} calls, the sizes taking turns; "
        "HTTP: wrk "
        f"-d{config.scale_duration}s, one connection, median of {config.scale_runs}; "
        f"non-2xx, GraphQL and socket errors: {bad:.0f}.",
    ]
    return [table]
