"""Checkpoints of an SQLite write-ahead log, taken by a thread of their own.

By default the commit that takes the log past a size (1,000 pages; the views raise it
to 20,000) copies the log into the database file and syncs it before it returns. In
`serve` that commit is a reply's, made under the group commit's lock or the views' fold
lock, so every reply queued behind it waited for the copy too. Connections made with
storage.sqlite's SQLITE_BACKGROUND_CHECKPOINTS never checkpoint, and while any
of them is open, a thread per database file takes a passive checkpoint every
`EVERY_SECONDS`: it copies what no reader still needs, and waits for nobody.

Durability does not change: a commit still syncs the log before it returns, and a
crash before a checkpoint leaves the log for the next opening to replay."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from contextlib import closing

from storage.database import SQLITE_BUSY_TIMEOUT_SECONDS

log = logging.getLogger(__name__)

EVERY_SECONDS = 0.25  # the log stays short under load
IDLE_EVERY_SECONDS = 2.0  # while no commit comes, looks back off to this


class _Checkpointer:
    def __init__(self, path: str) -> None:
        self.path = path
        self.users = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        timeout = float(SQLITE_BUSY_TIMEOUT_SECONDS)
        with closing(sqlite3.connect(self.path, timeout=timeout, isolation_level=None)) as c:
            wal, seen, wait = self.path + "-wal", None, EVERY_SECONDS
            while not self._stopping.wait(wait):
                stamp = file_stamp(wal)
                if stamp == seen:  # no commit since the last checkpoint: nothing to copy
                    wait = min(wait * 2, IDLE_EVERY_SECONDS)
                    continue
                wait = EVERY_SECONDS
                try:
                    c.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    seen = stamp
                except sqlite3.Error as e:  # the next round tries again
                    log.warning("checkpoint of %s failed: %s", self.path, e)


def file_stamp(path: str) -> tuple[int, int] | None:
    """A file's size and modification time (None if absent): what a commit changes."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


_lock = threading.Lock()
_by_path: dict[str, _Checkpointer] = {}


def acquire(path: str) -> str:
    """Starts the file's checkpointing thread unless it runs; returns the key to release."""
    key = os.path.realpath(path)
    with _lock:
        checkpointer = _by_path.get(key) or _Checkpointer(path)
        _by_path[key] = checkpointer
        checkpointer.users += 1
    return key


def release(key: str) -> None:
    """Stops the file's checkpointing thread when its last user releases it."""
    with _lock:
        checkpointer = _by_path[key]
        checkpointer.users -= 1
        if checkpointer.users:
            return
        del _by_path[key]
    checkpointer.stop()
