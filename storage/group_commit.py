"""Group commit: the events of commands saved at the same moment by different threads go
to the database in one transaction, so that they share one flush to disk.

A committed transaction costs a flush (fsync) of a few milliseconds, and writers to one
log take turns, so one transaction per command caps a process at a few hundred commands
a second however many cores it has. Here each save joins a queue; whichever thread finds
no commit in progress takes everything queued and writes it at once, and every saver
returns only after the transaction holding its events has committed: no acknowledged
event is less durable than before. When a joint transaction fails (two commands racing
for one aggregate version, say), each save is retried alone, so that only the loser sees
the conflict, exactly as without grouping. eventsourcing commits each save alone: it has no
grouping of its own.

`after_commit`, when set, runs in the committing thread once its group has committed,
with the group's last log position, before any saver of the group returns: on SQLite,
the fold of the views (projections.own_writes), so a group is folded once, by one
thread, between two commits rather than racing the next commit for the write lock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent

log = logging.getLogger(__name__)


class _Save:
    __slots__ = ("done", "error", "events", "ids", "settled")

    def __init__(self, events: Sequence[StoredEvent]) -> None:
        self.events = events
        self.settled = False  # its transaction has ended (ids or error)
        self.done = False  # and its saver may return
        self.ids: Sequence[int] | None = None
        self.error: Exception | None = None

    def outcome(self) -> Sequence[int] | None:
        if self.error is not None:
            raise self.error
        return self.ids


class GroupCommit:
    """Mixed into an application recorder, before it (storage.sqlite, storage.postgres)."""

    after_commit: Callable[[int], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A saver waits on the condition, not on the commit: one whose save was taken
        # along returns as soon as that commit ends, not after the next one.
        self._turn = threading.Condition(threading.Lock())
        self._committing = False
        self._queue: list[_Save] = []

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events or any(v is not None for v in kwargs.values()):
            # A tracked write (a processing application's) stays apart.
            return self._insert_alone(stored_events, **kwargs)
        save = _Save(stored_events)
        with self._turn:
            self._queue.append(save)
            while self._committing and not save.done:
                self._turn.wait()
            if save.done:  # an earlier committer took this save along
                return save.outcome()
            self._committing = True
            batch, self._queue = self._queue, []
        try:
            self._commit(batch)
            self._after_commit(batch)
        finally:
            with self._turn:
                for finished in batch:
                    if not finished.settled:
                        finished.error = finished.error or RuntimeError("commit failed")
                    finished.done = True
                self._committing = False
                self._turn.notify_all()
        return save.outcome()

    def _insert_alone(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        recorder: Any = super()  # the recorder this is mixed into
        return recorder.insert_events(stored_events, **kwargs)

    def _commit(self, batch: list[_Save]) -> None:
        clean, doomed = _split_races(batch)
        together = len(clean) > 1 and self._commit_together(clean)
        for save in doomed if together else clean + doomed:
            try:
                save.ids = self._insert_alone(save.events)
            except Exception as e:  # raised again in the saver's own thread
                save.error = e
            save.settled = True

    def _after_commit(self, batch: list[_Save]) -> None:
        after = self.after_commit
        positions = [s.ids[-1] for s in batch if s.error is None and s.ids]
        if after is None or not positions:
            return
        try:
            after(max(positions))
        except Exception:  # the events have committed: the savers are answered all the same
            log.exception("after the commit of positions up to %s", max(positions))

    def _commit_together(self, batch: list[_Save]) -> bool:
        try:
            ids = self._insert_alone([e for s in batch for e in s.events])
        except Exception:  # the caller retries each save alone
            return False
        offset = 0
        for save in batch:
            size = len(save.events)
            save.ids = None if ids is None else ids[offset : offset + size]
            save.settled = True
            offset += size
        return True


def _split_races(batch: list[_Save]) -> tuple[list[_Save], list[_Save]]:
    """Saves that touch an aggregate an earlier save of the batch touches are doomed: both
    were decided on the same version, since neither could see the other's uncommitted
    events. They go alone after the others (and fail there, before any flush), so that
    one lost race does not break the group into one transaction per save."""
    claimed: set[object] = set()
    clean: list[_Save] = []
    doomed: list[_Save] = []
    for save in batch:
        touched = {e.originator_id for e in save.events}
        if touched & claimed:
            doomed.append(save)
        else:
            clean.append(save)
            claimed |= touched
    return clean, doomed
