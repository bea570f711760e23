"""Wakes readers in this process as soon as a view commits, instead of making them poll
the database; readers in other processes still poll (see ReadModels.wait_for)."""

from __future__ import annotations

import threading

_moved = threading.Condition()


def announce() -> None:
    with _moved:
        _moved.notify_all()


def wait(timeout: float) -> None:
    with _moved:
        _moved.wait(timeout)
