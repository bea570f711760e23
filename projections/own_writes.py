"""On SQLite, the thread that wrote an event folds it into the views before it returns.

A follower thread that polls (SQLite has no LISTEN) would cost a mutation a chain of
hand-offs: the writing thread wakes the follower, which reads the log, folds, commits
and wakes the writer back, each step waiting for the GIL. Here the writer reads the
log past the views' position and folds it itself, so that read-your-writes needs no
other thread. Writers that come while one is folding wait for it and return if it
reached their event; otherwise one of them folds everything committed meanwhile, so a
burst of writes is folded in a few batches, not one transaction each.

Every process on an SQLite file folds its own writes so (OwnWrites), whether or not it
holds the background lease; two processes folding at once race on the views' positions
(compare-and-set), and the loser reads them again. The lease holder's follower still
polls, for writes nobody folded (the expiry sweep, a command, a writer killed before its
fold); in the holder it folds through the same CatchUp, under the same lock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from projections import progress
from projections.fanout import Fanout
from projections.views import PositionMovedError
from storage.database import Storage

log = logging.getLogger(__name__)
RACES = 20  # folds lost to another process in a row before leaving it to the follower


class CatchUp:
    def __init__(self, recorder: ApplicationRecorder, fanout: Fanout, batch_size: int) -> None:
        self.recorder = recorder
        self.fanout = fanout
        self.batch_size = batch_size
        # Writers wait on the condition, not on the fold: one whose position the running
        # fold reaches returns when it ends; the next fold takes all committed meanwhile.
        self._turn = threading.Condition(threading.Lock())
        self._folding = False
        self._closed = False

    def to(self, position: int | None = None) -> int:
        """Folds the log into the views up to `position` (None: to its end, as it is
        now); returns the number of notifications folded. If another process (a
        rebuild) moved a view meanwhile, it reads the positions again and carries on
        from them."""
        with self._turn:
            while self._folding and not self._reached(position):
                self._turn.wait()
            if self._reached(position):
                return 0
            self._folding = True
        try:
            return self._races(position)
        finally:
            with self._turn:
                self._folding = False
                self._turn.notify_all()

    def close(self) -> None:
        """Waits for the fold in progress; later calls of `to` do nothing."""
        with self._turn:
            self._closed = True
            while self._folding:
                self._turn.wait()

    def _reached(self, position: int | None) -> bool:
        return self._closed or (position is not None and self.fanout.start() >= position)

    def _races(self, position: int | None) -> int:
        for _ in range(RACES):
            try:
                return self._fold(position)
            except PositionMovedError as e:
                log.debug("%s; folding again from the recorded positions", e)
                reached = self.fanout.reload()
                progress.announce(self.fanout.database, reached)
                if position is not None and reached >= position:
                    break
        return 0

    def _fold(self, position: int | None) -> int:
        fanout, folded = self.fanout, 0
        while not self._closed and (position is None or fanout.start() < position):
            notifications = self.recorder.select_notifications(
                start=fanout.start(), limit=self.batch_size, inclusive_of_start=False
            )
            if notifications:
                fanout.apply(fanout.decode(notifications))
                folded += len(notifications)
            if len(notifications) < self.batch_size:
                break  # the end of the log, as it was when read
        return folded


_lock = threading.Lock()
_by_database: dict[str, CatchUp] = {}


def register(database: str, catch_up: CatchUp) -> CatchUp:
    """Registers `catch_up` unless one is already: returns the one that folds."""
    with _lock:
        return _by_database.setdefault(database, catch_up)


def unregister(database: str, catch_up: CatchUp) -> None:
    with _lock:
        if _by_database.get(database) is catch_up:
            del _by_database[database]


def fold_own_write(database: str, position: int) -> None:
    """Folds the log up to `position` into the views of `database` if they are
    followed in this process on SQLite; otherwise does nothing (the reader waits)."""
    catch_up = _by_database.get(database)
    if catch_up is None:
        return
    try:
        catch_up.to(position)
    except Exception:
        # The write has committed; the follower's next poll folds it instead.
        log.exception("folding this process's write into the views failed")


class OwnWrites:
    """Makes every thread of this process fold its own writes into the views of an
    SQLite file (fold_own_write), lease holder or not; does nothing on PostgreSQL,
    where the lease holder's follower is woken by NOTIFY and writers wait for it."""

    def __init__(self, storage: Storage, batch_size: int = 2000, writer: Any = None) -> None:
        """`writer`: an application whose group commit folds each group as it commits."""
        self.storage = storage
        self.batch_size = batch_size
        self.writer = writer
        self._closers: list[Callable[[], None]] = []

    def start(self) -> None:
        if self.storage.kind != "sqlite" or self._closers:
            return
        from domain.application import utc_now
        from projections.registry import open_views
        from projections.settings import half_life_from_environment
        from storage.bootstrap import open_application

        app = open_application(self.storage)
        self._closers.append(app.close)
        views = open_views(self.storage, half_life_days=half_life_from_environment(), clock=utc_now)
        self._closers.append(views.close)
        fanout = Fanout(views.projections(), app.mapper, self.storage.url)
        catch_up = CatchUp(app.recorder, fanout, self.batch_size)
        register(self.storage.url, catch_up)
        self._closers.append(catch_up.close)  # no writer folds once it returns
        self._closers.append(lambda: unregister(self.storage.url, catch_up))
        recorder: Any = getattr(self.writer, "recorder", None)
        if hasattr(recorder, "after_commit"):
            recorder.after_commit = partial(fold_own_write, self.storage.url)
            self._closers.append(lambda: setattr(recorder, "after_commit", None))

    def stop(self) -> None:
        closers, self._closers = self._closers, []
        for close in reversed(closers):
            close()
