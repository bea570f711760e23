"""Tells the threads of this process at once that it committed events to an SQLite file,
so that a follower of the log need not poll for this process's own writes: only another
process's writes have to be looked for in the file (projections.subscription)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_watchers: dict[str, set[threading.Event]] = {}


def key(path: str) -> str:
    """One name per database file, however it was spelled."""
    return os.path.realpath(path)


@contextmanager
def watching(path: str, woken: threading.Event) -> Iterator[None]:
    """While inside, `woken` is set after every commit of events to the file at `path`
    made by this process."""
    name = key(path)
    with _lock:
        _watchers.setdefault(name, set()).add(woken)
    try:
        yield
    finally:
        with _lock:
            watchers = _watchers[name]
            watchers.discard(woken)
            if not watchers:
                del _watchers[name]


def announce(name: str) -> None:
    """Events were committed to the file named `name` (as key() names it)."""
    with _lock:
        watchers = list(_watchers.get(name, ()))
    for woken in watchers:
        woken.set()
