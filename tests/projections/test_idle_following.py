"""A subscription to an SQLite log (projections.subscription) looks at it seldom once it
is quiet, for other processes' writes, and still takes a write of its own process at
once: the commit wakes it (storage.local_commits). A look reads the log only when the
files may have changed."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from domain.introduction import ADMIN
from projections import subscription as module
from projections.subscription import (
    CHANGE_SHOWS_AFTER_NS,
    IDLE_AFTER,
    FileProbe,
    SQLitePollingSubscription,
)
from storage.bootstrap import open_application
from storage.database import Storage


def wakes(thread: threading.Thread) -> int:
    """How often a thread of this process has gone to sleep and woken since it began."""
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text().splitlines()
    return int(next(x for x in status if x.startswith("voluntary_ctxt_switches")).split()[1])


def test_a_quiet_log_is_seldom_looked_at_and_a_write_here_wakes_it_at_once(
    sqlite_storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "IDLE_POLL_INTERVAL", 60.0)  # another process's write waits
    app = open_application(sqlite_storage)
    try:
        app.register_person(ADMIN, "Before")
        with SQLitePollingSubscription(app.recorder, gt=0, poll_interval=0.02) as subscription:
            guard = threading.Timer(10, subscription.stop)  # next_batch returns, whatever
            guard.start()
            try:
                assert len(subscription.next_batch(10)) == 1
                time.sleep(IDLE_AFTER + 0.5)
                before = wakes(subscription._ticker)
                time.sleep(1.0)
                assert wakes(subscription._ticker) - before <= 2  # busy: every 20 ms
                started = time.monotonic()
                app.register_person(ADMIN, "Now")
                assert len(subscription.next_batch(10)) == 1
                assert time.monotonic() - started < 2.0
            finally:
                guard.cancel()
                subscription.stop()
    finally:
        app.close()


def test_a_look_reads_the_log_only_if_the_files_may_have_changed(tmp_path: Path) -> None:
    database, wal = tmp_path / "log.db", tmp_path / "log.db-wal"
    database.write_bytes(b"d" * 10)
    wal.write_bytes(b"a" * 10)
    probe = FileProbe(str(database))
    assert probe.due()  # the first look
    # A commit in the same tick of the file system's clock: the same size, the same mtime.
    seen = wal.stat()
    wal.write_bytes(b"b" * 10)
    os.utime(wal, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    assert probe.due()  # read: the change seen before it was that recent
    time.sleep(CHANGE_SHOWS_AFTER_NS / 1e9 + 0.05)
    assert probe.due()  # the last look saw a change that recent
    assert not probe.due()  # a later commit would show: nothing to read
    wal.write_bytes(b"c" * 10)
    assert probe.due()
