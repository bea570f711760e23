"""A reader waiting to read its own write is woken by the commit that reaches its
position, not by every commit before it (projections/progress.py)."""

from __future__ import annotations

import threading
import uuid

from projections import progress


def _waiter(database: str, position: int) -> threading.Thread:
    # A long timeout: a waiter that ends was woken, it did not time out.
    thread = threading.Thread(target=progress.wait_past, args=(database, position, 60.0))
    thread.start()
    return thread


def test_a_waiter_sleeps_through_commits_below_its_position_and_wakes_at_it() -> None:
    database = f"sqlite:///{uuid.uuid4().hex}.db"
    waiter = _waiter(database, 10)
    try:
        progress.announce(database, 5)
        waiter.join(0.2)
        assert waiter.is_alive()
        progress.announce(database, 10)
        waiter.join(10)
        assert not waiter.is_alive()
    finally:
        progress.announce()  # wakes it, whatever happened
        waiter.join()
        progress.forget(database)


def test_a_commit_of_another_database_wakes_no_one_here_and_a_wake_all_wakes_everyone() -> None:
    database, other = (f"sqlite:///{uuid.uuid4().hex}.db" for _ in range(2))
    waiters = [_waiter(database, 3), _waiter(database, 7)]
    try:
        progress.announce(other, 100)
        for waiter in waiters:
            waiter.join(0.2)
            assert waiter.is_alive()
        progress.announce()  # the expiry sweep wrote: every waiter looks again
        for waiter in waiters:
            waiter.join(10)
            assert not waiter.is_alive()
        assert progress.reached(database) is None  # a wake-up is not a position
    finally:
        progress.announce()
        for waiter in waiters:
            waiter.join()
        progress.forget(other)


def test_a_position_already_reached_does_not_wait() -> None:
    database = f"sqlite:///{uuid.uuid4().hex}.db"
    progress.announce(database, 4)
    try:
        waiter = _waiter(database, 4)
        waiter.join(10)
        assert not waiter.is_alive()
    finally:
        progress.forget(database)
