"""Runs every projection and the expiry sweeper, in background threads: embedded in the
API process on SQLite, or as `introductions worker` on PostgreSQL.

Stopping is clean (the current batch commits or rolls back, threads are joined); being
killed at any moment is safe too, because a batch's rows and positions commit together:
a restarted runner continues from the positions the views recorded."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from domain.application import IntroductionsApp, utc_now
from projections import leaderboard, own_writes, progress
from projections.fanout import Fanout, Prefetch
from projections.rebuild import fold_to_end
from projections.registry import Views, open_views
from projections.settings import half_life_from_environment
from projections.subscription import FileProbe, next_look_in, subscribe
from projections.sweeper import sweep
from projections.views import PositionMovedError
from storage.bootstrap import open_application
from storage.database import Storage, backend_of

log = logging.getLogger(__name__)
BATCH_SIZE = 2000  # events per transaction when behind
RETRY_AFTER = 1.0  # seconds before following again after a database error


class ProjectionsRunner:
    def __init__(
        self,
        storage: Storage,
        *,
        clock: Callable[[], datetime] = utc_now,
        expire_after: timedelta | None = None,
        sweep_interval: float = 60.0,
        half_life_days: float | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.expire_after = expire_after
        self.sweep_interval = sweep_interval
        self.half_life_days = (
            half_life_from_environment() if half_life_days is None else half_life_days
        )
        self.batch_size = batch_size
        self.errors: list[BaseException] = []  # the latest failures, for health checks
        self._stopping = threading.Event()
        self._subscription: Any = None
        self._threads: list[threading.Thread] = []
        self._app: IntroductionsApp | None = None
        self._views: Views | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Opens the views and starts following the log; returns at once."""
        if self._threads:
            return
        self._stopping.clear()
        self._app = open_application(self.storage, clock=self.clock, expire_after=self.expire_after)
        self._views = open_views(self.storage, half_life_days=self.half_life_days, clock=self.clock)
        reputation = self._views.reputation
        built_with, _ = reputation.settings()
        if built_with != self.half_life_days:
            log.warning(
                "reputation view built with a half-life of %s days; rebuilding it with %s",
                built_with,
                self.half_life_days,
            )
            reputation.drop()
        progress.forget(self.storage.url)  # this runner announces afresh from the tables
        self._threads = [
            threading.Thread(target=self._follow, name="projections-follow", daemon=True),
            threading.Thread(target=self._sweep, name="projections-sweep", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stops following and sweeping, waits for the threads, closes connections."""
        self._stopping.set()
        subscription = self._subscription
        if subscription is not None:
            subscription.stop()
        for thread in self._threads:
            thread.join()
        self._threads = []
        if self._views is not None:
            self._views.close()
            self._views = None
        if self._app is not None:
            self._app.close()
            self._app = None

    def __enter__(self) -> ProjectionsRunner:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def sweep_now(self) -> list[str]:
        """Runs the expiry sweeper once, now (also done every sweep_interval)."""
        assert self._app is not None, "start() first"
        assert self._views is not None, "start() first"
        return sweep(self._app, self._views.expiry_candidates)

    # --- threads -----------------------------------------------------------------------

    def _follow(self) -> None:
        assert self._app is not None
        assert self._views is not None
        fanout = Fanout(self._views.projections(), self._app.mapper, self.storage.url)
        while not self._stopping.is_set():
            try:
                self._follow_once(fanout)
            except Exception as e:
                log.exception("projections stopped following the log; retrying")
                self.errors = [*self.errors[-9:], e]
                self._stopping.wait(RETRY_AFTER)

    def _follow_once(self, fanout: Fanout) -> None:
        assert self._app is not None
        fanout.reload()
        # Far behind (a new view, a long stop): read pages directly, which is faster
        # than through the subscription's pull thread; then follow it live.
        fold_to_end(self._app, fanout, batch_size=self.batch_size, stopping=self._stopping.is_set)
        if backend_of(self._app.recorder) == "sqlite":
            self._poll(fanout)
            return
        subscription = subscribe(self._app.recorder, gt=fanout.start())
        self._subscription = subscription
        if self._stopping.is_set():  # stop() came before the subscription existed
            subscription.stop()
        with subscription:
            batches = iter(lambda: subscription.next_batch(self.batch_size), None)
            prefetch = Prefetch(batches, fanout)
            try:
                for batch in prefetch:
                    if self._stopping.is_set():
                        return
                    try:
                        fanout.apply(batch)
                    except PositionMovedError as e:
                        # Another worker or a rebuild moved a view: read positions again.
                        log.info("%s; following again from the recorded positions", e)
                        return
            finally:
                subscription.stop()  # ends the decoding thread's source first
                prefetch.close()

    def _poll(self, fanout: Fanout) -> None:
        """Follows an SQLite log (which cannot notify) by looking at it every
        POLL_INTERVAL, less often once it finds nothing to fold; writes of this process
        are folded by their own threads meanwhile (see projections.own_writes)."""
        assert self._app is not None
        mine = own_writes.CatchUp(self._app.recorder, fanout, self.batch_size)
        # In a serve process, its writers' CatchUp (own_writes.OwnWrites): one lock for both.
        catch_up = own_writes.register(self.storage.url, mine)
        probe = FileProbe(self.storage.sqlite_path or "")
        try:
            quiet_since = time.monotonic()
            while not self._stopping.wait(next_look_in(quiet_since)):
                # It finds only writes nobody folded (a command's, a writer killed before
                # its fold): every process folds its own. While the files stay as they
                # were, it reads nothing.
                if probe.due() and catch_up.to():
                    quiet_since = time.monotonic()
        finally:
            own_writes.unregister(self.storage.url, mine)
            mine.close()  # no writer folds through it once this returns: the views may close

    def _sweep(self) -> None:
        while not self._stopping.wait(self.sweep_interval):
            try:
                if self.sweep_now():
                    # Its events, into the views now rather than at the follower's next look.
                    assert self._app is not None
                    end = self._app.recorder.max_notification_id() or 0
                    own_writes.fold_own_write(self.storage.url, end)
                assert self._views is not None
                now = self.clock()
                if leaderboard.needs_refresh(self._views.reputation, now):
                    leaderboard.refresh(self._views.reputation, now)
            except Exception as e:
                log.exception("the expiry sweep failed; trying again next interval")
                self.errors = [*self.errors[-9:], e]
            progress.announce()
