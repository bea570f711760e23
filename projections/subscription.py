"""Following the log: the library's LISTEN/NOTIFY subscription on PostgreSQL, and on
SQLite (whose recorder has no subscribe()) the same pull loop woken by a timer instead.

Both hand out notifications in batches: `next_batch` blocks for the first notification,
then takes whatever the pull thread has already fetched (the library's pages of 500,
ten of them queued ahead while behind), so catch-up gets big batches and live following gets one
notification at a time, with no extra query to tell the two apart."""

from __future__ import annotations

import queue
import threading
import time
from typing import Any, Protocol

from eventsourcing.persistence import (
    ApplicationRecorder,
    ListenNotifySubscription,
    Notification,
    ShutDown,
)

from storage import local_commits
from storage.database import backend_of
from storage.wal_checkpoints import file_stamp

POLL_INTERVAL = 0.02  # seconds between looks at an SQLite log that has gone quiet
# A log unchanged this long is looked at less often, so that an idle service barely
# wakes; a write of this process is folded at once all the same (projections.own_writes),
# and wakes a subscription at once (storage.local_commits): the idle looks are only for
# other processes' writes, which can wait that long (README, "Background work").
IDLE_AFTER = 1.0
IDLE_POLL_INTERVAL = 1.0
# A look reads the log only if the files changed (FileProbe), or their last change was
# so recent that another in the same tick of the file system's clock would not show; and
# after this long anyway, for a file system whose times lag.
CHANGE_SHOWS_AFTER_NS = 100_000_000
READ_AT_LEAST_EVERY = 30.0


def next_look_in(
    quiet_since: float, busy: float = POLL_INTERVAL, idle: float = IDLE_POLL_INTERVAL
) -> float:
    """Seconds until the next look at an SQLite log: `busy` while the last change is
    under IDLE_AFTER old (`quiet_since`), else at least `idle`."""
    if time.monotonic() - quiet_since < IDLE_AFTER:
        return busy
    return max(busy, idle)


class FileProbe:
    """Whether an SQLite database may have changed, from the size and modification time
    of its file and its write-ahead log: two stat calls, where reading the log is a
    query. A commit grows the log or rewrites it (a new mtime); one that left both alike,
    in the clock tick of the change seen before it, is read at the next `due` look all
    the same, since that change was seen under CHANGE_SHOWS_AFTER_NS old."""

    def __init__(self, path: str) -> None:
        self.paths = (path, path + "-wal")
        self.in_memory = not path or ":memory:" in path or "mode=memory" in path
        self._seen: tuple[tuple[int, int] | None, ...] | None = None
        self._just_changed = False
        self._read_at = 0.0

    def due(self) -> bool:
        """True if the log should be read now: the files changed, or had just changed
        at the last look, or the last read is READ_AT_LEAST_EVERY old."""
        if self.in_memory:
            return True  # no file to look at
        now = tuple(file_stamp(p) for p in self.paths)
        changed, self._seen = now != self._seen, now
        just_changed, self._just_changed = self._just_changed, _just_changed(now)
        if changed or just_changed or time.monotonic() - self._read_at >= READ_AT_LEAST_EVERY:
            self._read_at = time.monotonic()
            return True
        return False


def _just_changed(stamps: tuple[tuple[int, int] | None, ...]) -> bool:
    now = time.time_ns()
    return any(s is not None and now - s[1] < CHANGE_SHOWS_AFTER_NS for s in stamps)


class BatchSubscription(Protocol):
    def next_batch(self, max_size: int) -> list[Notification]: ...
    def stop(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(self, *args: object) -> None: ...


class Batches:
    """Adds next_batch() to the library's ListenNotifySubscription."""

    _notifications: Any
    _notifications_index: int
    _notifications_queue: Any

    def next_batch(self, max_size: int) -> list[Notification]:
        """At least one notification (blocking until there is one), at most max_size;
        raises StopIteration once the subscription is stopped."""
        batch = [next(self)]  # type: ignore[call-overload]
        while len(batch) < max_size:
            if self._notifications_index < len(self._notifications):
                start = self._notifications_index
                taken = self._notifications[start : start + max_size - len(batch)]
                self._notifications_index += len(taken)
                batch.extend(taken)
                continue
            try:
                self._notifications = self._notifications_queue.get(block=False)
            except (queue.Empty, ShutDown):
                break
            self._notifications_queue.task_done()
            self._notifications_index = 0
        return batch


class SQLitePollingSubscription(Batches, ListenNotifySubscription[ApplicationRecorder]):
    """The library's pull loop, woken instead of by NOTIFY: at once by a commit of this
    process to the log once it has been quiet for IDLE_AFTER, and every `poll_interval`
    while it is not; and, for other processes' writes, by a look at the database's files
    every `poll_interval`, or IDLE_POLL_INTERVAL once quiet, that finds them changed
    (FileProbe; and every READ_AT_LEAST_EVERY regardless)."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        gt: int | None = None,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self._stopping = threading.Event()
        self._woken = threading.Event()  # set by a commit of this process, and by stop()
        self._poll_interval = poll_interval
        super().__init__(recorder=recorder, gt=gt)
        self._ticker = threading.Thread(target=self._tick, name="sqlite-log-poll", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        path = self._recorder.datastore.pool.db_name  # type: ignore[attr-defined]
        probe = FileProbe(path)
        seen, quiet_since = self._last_notification_id, time.monotonic()
        with local_commits.watching(path, self._woken):
            while not self._stopping.is_set():
                wait = next_look_in(quiet_since, self._poll_interval, IDLE_POLL_INTERVAL)
                if wait > self._poll_interval:
                    self._woken.wait(wait)
                else:
                    # Busy: one look per interval however many commits come, so that
                    # following costs a busy process no more than that.
                    self._stopping.wait(wait)
                committed = self._woken.is_set()
                self._woken.clear()
                if committed or self._last_notification_id != seen:  # the log grew
                    seen, quiet_since = self._last_notification_id, time.monotonic()
                due = probe.due()  # called each look: it notes the files as they are
                if committed or due:
                    self._has_been_notified.set()

    def stop(self) -> None:
        self._stopping.set()
        self._woken.set()
        super().stop()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._ticker.join()


def subscribe(
    recorder: ApplicationRecorder, gt: int | None, *, poll_interval: float = POLL_INTERVAL
) -> BatchSubscription:
    """A batching subscription to the application's log, after position `gt`; on SQLite
    it reads every `poll_interval`, in batches when busy."""
    if backend_of(recorder) == "postgres":
        from projections.postgres import PostgresBatchSubscription

        return PostgresBatchSubscription(recorder, gt=gt)  # type: ignore[arg-type]
    return SQLitePollingSubscription(recorder, gt=gt, poll_interval=poll_interval)
