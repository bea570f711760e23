"""Wakes readers in this process as soon as a view commits, and tells them how far the
views of a database have got, so that read-your-writes costs no query when the
projections run in the same process. Readers in other processes still poll (see
ReadModels.wait_for)."""

from __future__ import annotations

import threading

_lock = threading.Lock()
_reached: dict[str, int] = {}  # database URL -> position every view of it has committed
# Readers waiting for a position of a database, each woken only by the commit that gets
# there: with every waiter woken by every commit, 16 writers waiting for their replies
# cost 16 wake-ups (each taking the GIL) per commit, most only to sleep again.
_waiting: dict[str, list[tuple[int, threading.Event]]] = {}


def announce(database: str | None = None, position: int = 0) -> None:
    """A commit of the views of `database` up to `position`; with no database (the
    expiry sweep wrote through the application), every waiter looks again."""
    with _lock:
        if database is not None and position > _reached.get(database, 0):
            _reached[database] = position
        if database is None:
            for everyone in _waiting.values():
                for _, woken in everyone:
                    woken.set()
        elif waiters := _waiting.get(database):
            reached = _reached.get(database, 0)
            for wanted, woken in waiters:
                if wanted <= reached:
                    woken.set()


def forget(database: str) -> None:
    """For when views are dropped: what this process announced no longer holds."""
    with _lock:
        _reached.pop(database, None)


def reached(database: str) -> int | None:
    """How far this process's projections of the database have got; None if they do
    not run in this process."""
    return _reached.get(database)


def wait_past(database: str, position: int, timeout: float) -> None:
    """Until this process's views of `database` reach `position`, a wake-up for every
    waiter, or the timeout, whichever comes first; the caller looks again."""
    woken = threading.Event()
    entry = (position, woken)
    with _lock:
        if _reached.get(database, 0) >= position:
            return
        _waiting.setdefault(database, []).append(entry)
    try:
        woken.wait(timeout)
    finally:
        with _lock:
            waiters = _waiting[database]
            waiters.remove(entry)
            if not waiters:
                del _waiting[database]
