"""Rebuilds views from the start of the log: drop, then fold every event again.

Safe while a worker runs (positions move by compare-and-set: whoever loses a race reads
the positions again and carries on), but faster with the worker stopped."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from eventsourcing.persistence import Notification

from domain.application import IntroductionsApp, utc_now
from projections import leaderboard
from projections import progress as progress_of_views
from projections.fanout import Fanout, Prefetch
from projections.registry import NAMES, Views, open_views
from projections.settings import half_life_from_environment
from projections.views import PositionMovedError
from storage.bootstrap import open_application
from storage.database import Storage

BATCH_SIZE = 2000

Progress = Callable[[int, int, int], None]  # (position, end position, events so far)


@dataclass(frozen=True)
class Rebuilt:
    names: tuple[str, ...]
    events: int
    seconds: float


def rebuild(
    storage: Storage,
    names: Sequence[str] = NAMES,
    *,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = utc_now,
    half_life_days: float | None = None,
    batch_size: int = BATCH_SIZE,
) -> Rebuilt:
    """Drops the named views and folds the log into them up to its current end."""
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        msg = f"no projection named {', '.join(unknown)}; choose from {', '.join(NAMES)}"
        raise ValueError(msg)
    half_life = half_life_from_environment() if half_life_days is None else half_life_days
    app = open_application(storage, clock=clock)
    views = open_views(storage, half_life_days=half_life, clock=clock)
    try:
        started = time.perf_counter()
        for name in names:
            views.by_name[name].drop()
        progress_of_views.forget(storage.url)
        events = catch_up(app, views, names, progress=progress, batch_size=batch_size)
        if "reputation" in names:
            leaderboard.refresh(views.reputation, clock())
        return Rebuilt(tuple(names), events, time.perf_counter() - started)
    finally:
        views.close()
        app.close()


def catch_up(
    app: IntroductionsApp,
    views: Views,
    names: Sequence[str] = NAMES,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Folds every event the named views have not seen, up to the end of the log as it
    is now, before returning; returns the number of notifications read."""
    fanout = Fanout(views.projections(tuple(names)), app.mapper)
    return fold_to_end(app, fanout, progress=progress, batch_size=batch_size)


def fold_to_end(
    app: IntroductionsApp,
    fanout: Fanout,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Reads the log in pages from the views' smallest position to its current end and
    folds them (decoding runs ahead in a helper thread on PostgreSQL)."""
    end = app.recorder.max_notification_id() or 0
    events = 0
    while (start := fanout.start()) < end and not stopping():
        prefetch = Prefetch(_pages(app, start, end, batch_size), fanout)
        raced = False
        try:
            for batch in prefetch:
                fanout.apply(batch)
                events += batch.count
                if progress is not None:
                    progress(batch.last, end, events)
                if stopping():
                    break
        except PositionMovedError:
            fanout.reload()  # another process got there first: carry on from its positions
            raced = True
        finally:
            prefetch.close()
        if not raced and fanout.start() == start:
            break  # nothing left to read below `end`
    return events


def _pages(
    app: IntroductionsApp, start: int, end: int, size: int
) -> Iterator[Sequence[Notification]]:
    position = start
    while position < end:
        page = app.recorder.select_notifications(
            start=position, limit=size, stop=end, inclusive_of_start=False
        )
        if not page:
            return
        yield page
        position = page[-1].id
