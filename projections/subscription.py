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

from storage.database import backend_of

POLL_INTERVAL = 0.02  # seconds between looks at an SQLite log that has gone quiet
# A log unchanged this long is looked at less often, so that an idle service barely
# wakes; a write of this process is folded at once all the same (projections.own_writes).
IDLE_AFTER = 1.0
IDLE_POLL_INTERVAL = 0.2


def next_look_in(quiet_since: float, busy: float = POLL_INTERVAL) -> float:
    """Seconds until the next look at an SQLite log: `busy` while the last change is
    under IDLE_AFTER old (`quiet_since`), else at least IDLE_POLL_INTERVAL."""
    if time.monotonic() - quiet_since < IDLE_AFTER:
        return busy
    return max(busy, IDLE_POLL_INTERVAL)


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
    """The library's pull loop, woken every POLL_INTERVAL (IDLE_POLL_INTERVAL once the
    log has not changed for IDLE_AFTER) instead of by NOTIFY."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        gt: int | None = None,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self._stopping = threading.Event()
        self._poll_interval = poll_interval
        super().__init__(recorder=recorder, gt=gt)
        self._ticker = threading.Thread(target=self._tick, name="sqlite-log-poll", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        seen, quiet_since = self._last_notification_id, time.monotonic()
        while not self._stopping.wait(next_look_in(quiet_since, self._poll_interval)):
            if self._last_notification_id != seen:  # a write, here or elsewhere
                seen, quiet_since = self._last_notification_id, time.monotonic()
            self._has_been_notified.set()

    def stop(self) -> None:
        self._stopping.set()
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
