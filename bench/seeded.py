"""Seeded SQLite logs of a given size, with their projections built, kept in a cache
folder keyed by size and by a hash of the code that writes the events, so that a re-run
reuses them (seeding a million events takes minutes). When only the projections' code
changed, the views are rebuilt from the cached log instead of seeding it again. After
the history, each log holds one long introduction (10,000 events in a full run), the
same in every log, for the audit's time travel."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bench.config import REPO
from bench.seed import append_history, build_long_introduction
from storage.bootstrap import open_application
from storage.database import Storage, parse_database_url

# What the log holds: the seeded aggregates, their events and how they are stored.
EVENTS_CODE = (
    "domain/introduction.py",
    "domain/person.py",
    "domain/chain.py",
    "domain/bounds.py",
    "domain/application.py",
    "storage/database.py",
    "bench/seed.py",
)
VIEWS_CODE = ("projections", "webhooks")  # what the views and the delivery tables hold
PROPOSED = "domain.introduction:Introduction.IntroductionProposed"
SAMPLES = 100


@dataclass(frozen=True)
class SeededLog:
    path: Path
    events: int
    introductions: list[str]  # a random sample across the log
    introducers: list[str]
    long_introduction: str  # appended after the history, its events not in the sample
    long_versions: int
    seed_seconds: float  # appending the events (when the file was made)
    rebuild_seconds: float  # building every projection from them (when last built)
    views: str  # the hash of the code that built them
    reused: bool

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


def code_hash(entries: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for entry in entries:
        root = REPO / entry
        for path in sorted([root] if root.is_file() else root.rglob("*.py")):
            digest.update(path.relative_to(REPO).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def people_for(events: int) -> int:
    """One person per 300 events, and 300 for small logs (a tenth of a tiny one): the
    network grows with the log."""
    return max(min(300, events // 10), events // 300)


def seeded_log(cache_dir: Path, events: int, long_versions: int) -> SeededLog:
    """About `events` events of history, then one introduction of `long_versions`."""
    from projections.rebuild import rebuild

    folder = cache_dir / f"{events}-long{long_versions}-{code_hash(EVENTS_CODE)}"
    path, meta = folder / "log.db", folder / "meta.json"
    if meta.exists() and path.exists():
        data = json.loads(meta.read_text())
        storage = parse_database_url(f"sqlite:///{path}")
        if data.get("views") != code_hash(VIEWS_CODE):
            data["rebuild_seconds"] = rebuild(storage).seconds
            data["views"] = code_hash(VIEWS_CODE)
            meta.write_text(json.dumps(data))
        _settle(storage)
        return SeededLog(path=path, reused=True, **data)
    folder.mkdir(parents=True, exist_ok=True)
    building = folder / "building.db"
    for leftover in folder.glob("building.db*"):
        leftover.unlink()
    storage = parse_database_url(f"sqlite:///{building}")
    app = open_application(storage)
    started = time.perf_counter()
    try:
        appended = append_history(app, events, people=people_for(events))
        seed_seconds = time.perf_counter() - started
        introductions, introducers = _sample(app)  # before the long one, outside it
        started = time.perf_counter()
        long_introduction = str(build_long_introduction(app, long_versions))
        seed_seconds += time.perf_counter() - started
        appended += long_versions + 3  # and its three people
    finally:
        app.close()
    rebuild_seconds = rebuild(storage).seconds
    _settle(storage)
    _checkpoint(building)
    building.rename(path)  # only a complete log gets the name a re-run looks for
    data = {
        "events": appended,
        "introductions": introductions,
        "introducers": introducers,
        "long_introduction": long_introduction,
        "long_versions": long_versions,
        "seed_seconds": seed_seconds,
        "rebuild_seconds": rebuild_seconds,
        "views": code_hash(VIEWS_CODE),
    }
    meta.write_text(json.dumps(data))
    return SeededLog(path=path, reused=False, **data)


def _sample(app: object) -> tuple[list[str], list[str]]:
    """Introductions (and their introducers) proposed at random places in the log."""
    from domain.application import IntroductionsApp

    assert isinstance(app, IntroductionsApp)
    end = app.recorder.max_notification_id() or 0
    rng = random.Random(7)
    introductions: dict[str, str] = {}
    for _ in range(SAMPLES):
        found = app.recorder.select_notifications(
            start=rng.randrange(1, end + 1), limit=1, topics=[PROPOSED]
        ) or app.recorder.select_notifications(start=1, limit=1, topics=[PROPOSED])
        event = app.mapper.to_domain_event(found[0])
        introductions[str(event.originator_id)] = event.introducer_id  # type: ignore[attr-defined]
    return list(introductions), sorted(set(introductions.values()))


def _settle(storage: Storage) -> None:
    """Leaves the log as a service that has been running would: stale introductions
    expired (and projected), the webhook follower at the end of the log. Otherwise the
    `serve` being measured would spend its first minutes writing expirations and reading
    a million events for no endpoint, while its queries are timed. Quick when settled."""
    from projections.read_models import ReadModels
    from projections.runner import ProjectionsRunner
    from webhooks.dispatcher import WebhookDispatcher
    from webhooks.store import open_store

    runner = ProjectionsRunner(storage, sweep_interval=3600)
    read_models = ReadModels(storage)
    app = open_application(storage)
    runner.start()
    try:
        while runner.sweep_now():
            pass
        end = app.recorder.max_notification_id() or 0
        while not read_models.wait_for(end, timeout=600):
            pass
    finally:
        runner.stop()
        read_models.close()
        app.close()
    store = open_store(storage)
    try:
        if store.position() >= end:
            return
        dispatcher = WebhookDispatcher(storage)
        dispatcher.start()
        try:
            while store.position() < end:
                time.sleep(0.2)
        finally:
            dispatcher.stop()
    finally:
        store.close()


def _checkpoint(path: Path) -> None:
    """Folds the write-ahead log into the file, so that renaming the file moves it all."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
