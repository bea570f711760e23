"""On SQLite, the thread that wrote an event folds it into the views before it returns.

A follower thread that polls (SQLite has no LISTEN) would cost a mutation a chain of
hand-offs: the writing thread wakes the follower, which reads the log, folds, commits
and wakes the writer back, each step waiting for the GIL. Here the writer reads the
log past the views' position and folds it itself, so that read-your-writes needs no
other thread. Writers that come while one is folding wait for it, then find their
event already folded (it read to the end of the log), so a burst of writes is folded
in a few batches, not one transaction each.

The runner's follower thread still polls, for writes made by other processes and by
the expiry sweep; it folds through the same CatchUp, under the same lock."""

from __future__ import annotations

import logging
import threading

from eventsourcing.persistence import ApplicationRecorder

from projections.fanout import Fanout
from projections.views import PositionMovedError

log = logging.getLogger(__name__)


class CatchUp:
    def __init__(self, recorder: ApplicationRecorder, fanout: Fanout, batch_size: int) -> None:
        self.recorder = recorder
        self.fanout = fanout
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._closed = False

    def to(self, position: int | None = None) -> int:
        """Folds the log into the views up to `position` (None: to its end, as it is
        now); returns the number of notifications folded. If another process (a
        rebuild) moved a view meanwhile, it reads the positions again and returns: the
        next call carries on from them."""
        with self._lock:
            try:
                return self._fold(position)
            except PositionMovedError as e:
                log.info("%s; following again from the recorded positions", e)
                self.fanout.reload()
                return 0

    def close(self) -> None:
        """Waits for the fold in progress; later calls of `to` do nothing."""
        with self._lock:
            self._closed = True

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


def register(database: str, catch_up: CatchUp) -> None:
    with _lock:
        _by_database[database] = catch_up


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
