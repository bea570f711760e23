"""Tells the threads of this process at once that it committed events to an SQLite file,
so that a follower of the log need not poll for this process's own writes: only another
process's writes have to be looked for in the file (projections.subscription)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_watchers: set[tuple[str, threading.Event]] = set()  # (file, its watcher): a few at most


def key(path: str) -> str:
    """One name per database file, however it was spelled."""
    return os.path.realpath(path)


@contextmanager
def watching(path: str, woken: threading.Event) -> Iterator[None]:
    """While inside, `woken` is set after every commit of events to the file at `path`
    made by this process."""
    watcher = (key(path), woken)
    with _lock:
        _watchers.add(watcher)
    try:
        yield
    finally:
        with _lock:
            _watchers.discard(watcher)


def announce(name: str) -> None:
    """Events were committed to the file named `name` (as key() names it)."""
    with _lock:
        watchers = [woken for file, woken in _watchers if file == name]
    for woken in watchers:
        woken.set()
