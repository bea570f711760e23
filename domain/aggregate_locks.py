"""Commands on the same aggregate in one process take turns instead of racing: two
replies to one introduction at the same moment would otherwise both read version N,
one would lose the save, pause and try again (up to five times, then give up with
CONCURRENCY_CONFLICT). Writers in other processes still meet the optimistic check."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class AggregateLocks:
    """One lock per aggregate with a command in progress, forgotten when the last
    command waiting for it is done: memory follows the commands in flight, and
    commands on different aggregates never wait for each other."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}  # lock, commands using it

    @contextmanager
    def turn(self, aggregate_id: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(aggregate_id) or (threading.Lock(), 0)
            self._locks[aggregate_id] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[aggregate_id]
                if users == 1:
                    del self._locks[aggregate_id]
                else:
                    self._locks[aggregate_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
