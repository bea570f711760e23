"""Wakes readers in this process as soon as a view commits, and tells them how far the
views of a database have got, so that read-your-writes costs no query when the
projections run in the same process. Readers in other processes still poll (see
ReadModels.wait_for)."""

from __future__ import annotations

import threading

_moved = threading.Condition()
_reached: dict[str, int] = {}  # database URL -> position every view of it has committed


def announce(database: str | None = None, position: int = 0) -> None:
    with _moved:
        if database is not None and position > _reached.get(database, 0):
            _reached[database] = position
        _moved.notify_all()


def forget(database: str) -> None:
    """For when views are dropped: what this process announced no longer holds."""
    with _moved:
        _reached.pop(database, None)


def reached(database: str) -> int | None:
    """How far this process's projections of the database have got; None if they do
    not run in this process."""
    return _reached.get(database)


def wait(timeout: float) -> bool:
    """False if the timeout passed without a commit."""
    with _moved:
        return _moved.wait(timeout)
