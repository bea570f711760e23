"""Runs some work only while this process holds the lease (storage.lease), competing for
it from a thread: a standby waits on the lock itself (for RETRY_SECONDS at a time, then
looks up who holds it), so it takes over as soon as the holder dies, and its work runs
within TAKEOVER_BOUND_SECONDS. Each change is logged once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from storage.lease import Holder, Lease

log = logging.getLogger("introductions.lease")
RETRY_SECONDS = 1.0
# The holder checks its hold (a query on PostgreSQL) every this many rounds: an idle
# service barely wakes. A lost hold only means a short overlap, which positions and
# delivery leases make harmless. A standby looks up who holds it after each wait, so
# that /readyz names the new holder within a round.
CHECK_EVERY_ROUNDS = 5
# The lock handed to a waiting standby at once, then the work's start (opening its
# connections, folding what the log gained): a fraction of a second on an idle host,
# more on a loaded one. README, "Background work", says it.
TAKEOVER_BOUND_SECONDS = 1.5


class Work(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


class LeasedWork:
    def __init__(
        self,
        lease: Lease,
        make_work: Callable[[], Sequence[Work]],
        *,
        what: str = "the background work",
        retry_seconds: float = RETRY_SECONDS,
        prepare: Callable[[], None] | None = None,
    ) -> None:
        self.lease = lease
        self.make_work = make_work
        self.prepare = prepare  # run by a standby before it waits, to start the work sooner
        self.what = what
        self.retry_seconds = retry_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._running: list[Work] = []
        self._seen: Holder | None = None
        self._failing = False
        self.holding = threading.Event()  # set while this process runs the work

    def start(self) -> None:
        """Tries once now (so that the work runs on return when the lease was free),
        then goes on competing from a thread."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._attempt()
        self._thread = threading.Thread(target=self._compete, name="lease", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.lease.wake()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._stop_work()
        self.lease.release()
        if self.holding.is_set():
            self.holding.clear()
            log.info("gave up the background lease on stopping")

    def _compete(self) -> None:
        if self.prepare is not None and not self.holding.is_set():
            try:
                self.prepare()
            except Exception:
                log.exception("preparing %s failed", self.what)
        rounds = 0
        while not self._stopping.is_set():
            rounds += 1
            holding = self.holding.is_set()
            if (holding or self._failing) and self._stopping.wait(self._pause(holding)):
                return
            check = holding or rounds % CHECK_EVERY_ROUNDS == 0
            self._attempt(check=check, wait=self.retry_seconds)

    def _pause(self, holding: bool) -> float:
        # The holder has nothing to do between checks of its hold; a standby waits on the
        # lock itself, and pauses only after a failure.
        return self.retry_seconds * (CHECK_EVERY_ROUNDS if holding else 1)

    def _attempt(self, check: bool = True, wait: float = 0.0) -> None:
        try:
            if self.holding.is_set():
                if check and not self.lease.still_held():
                    log.warning("lost the background lease: stopping %s here", self.what)
                    self.holding.clear()
                    self._stop_work()
            elif self.lease.wait_acquire(wait) if wait else self.lease.try_acquire():
                if not self._stopping.is_set():  # else stop() frees it
                    self._take_over()
            elif not self._stopping.is_set():
                self._note_holder()
        except Exception as e:
            # Logged once per spell of failures (a database outage fails every round).
            if not self._failing:
                log.warning(
                    "the background lease: %s; trying again every %s s", e, self.retry_seconds
                )
            self._failing = True
        else:
            if self._failing:
                log.info("the background lease: the database answers again")
            self._failing = False

    def _take_over(self) -> None:
        started = time.monotonic()
        try:
            for work in self.make_work():
                work.start()
                self._running.append(work)
        except Exception:
            self._stop_work()
            self.lease.release()  # for another process, or for this one's next round
            raise
        self.holding.set()
        self._seen = Holder.this_process()
        seconds = time.monotonic() - started
        log.info(
            "took the background lease (%s): running %s here (started in %.3f s)",
            self._seen,
            self.what,
            seconds,
        )

    def _note_holder(self) -> None:
        holder = self.lease.holder()
        if holder != self._seen:
            self._seen = holder
            if holder is None:
                log.info("nobody holds the background lease")
            else:
                log.info("standing by: %s holds the background lease", holder)

    def _stop_work(self) -> None:
        running, self._running = self._running, []
        for work in reversed(running):
            try:
                work.stop()
            except Exception:
                log.exception("stopping %s failed", work)
