"""What the API reads: reputation, leaderboard, track records, the introduction list, the
people directory and each person's tokens, and the log position the views have reached
(for read-after-write)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from domain.application import utc_now
from projections import leaderboard, progress
from projections.introduction_list import IntroductionListView
from projections.own_writes import fold_own_write
from projections.people import PeopleView
from projections.records import (
    IntroductionRow,
    Page,
    PersonRow,
    Reputation,
    TokenRow,
    TrackRecord,
)
from projections.registry import open_views
from projections.settings import half_life_from_environment
from projections.views import APPLICATION_NAME
from storage.database import Storage

__all__ = [
    "IntroductionRow",
    "Page",
    "PersonRow",
    "ReadModels",
    "Reputation",
    "TokenRow",
    "TrackRecord",
]

log = logging.getLogger(__name__)
_CROSS_PROCESS_POLL = 0.02  # seconds between position checks when no wake-up comes


class ReadModels:
    def __init__(
        self,
        storage: Storage,
        *,
        clock: Callable[[], datetime] = utc_now,
        half_life_days: float | None = None,
    ) -> None:
        self.clock = clock
        self.half_life_days = (
            half_life_from_environment() if half_life_days is None else half_life_days
        )
        self.views = open_views(storage, half_life_days=self.half_life_days, clock=clock)
        self.database = storage.url
        built_with, _ = self.views.reputation.settings()
        if built_with != self.half_life_days:
            # The sums are only meaningful with the half-life they were built with, so
            # reads keep using it until the worker rebuilds the view with the new one.
            log.warning(
                "the reputation view was built with a half-life of %s days, not %s: "
                "scores use %s until the worker rebuilds it",
                built_with,
                self.half_life_days,
                built_with,
            )

    def reputation(self, introducer_id: str) -> Reputation | None:
        return self.views.reputation.record(introducer_id, self.clock())

    def leaderboard(self, first: int = 10) -> list[Reputation]:
        return leaderboard.top(self.views.reputation, first, self.clock())

    def track_record(self, person_id: str) -> TrackRecord:
        return self.views.track_record.record(person_id)

    @property
    def introductions(self) -> IntroductionListView:
        """The introductions a person may see, a page at a time (`page`)."""
        return self.views.introduction_list

    @property
    def people(self) -> PeopleView:
        """The people directory (`page`) and each person's tokens (`tokens`)."""
        return self.views.people

    def position(self) -> int:
        """The smallest log position every view has processed (0 if none)."""
        views = self.views.by_name.values()
        return min(view.max_tracking_id(APPLICATION_NAME) or 0 for view in views)

    def wait_for_own_write(self, position: int, timeout: float) -> bool:
        """`wait_for` a write this process made: when it follows an SQLite log, the
        calling thread folds the write into the views itself (projections.own_writes);
        otherwise the follower does, and this waits for it."""
        fold_own_write(self.database, position)
        return self.wait_for(position, timeout)

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """True once every view has processed `position`; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        ask_database = progress.reached(self.database) is None
        while True:
            reached = progress.reached(self.database)
            if reached is not None and reached >= position:
                return True
            # The database is asked only when no commit of this process's projections
            # woke us: many waiters woken by every commit would otherwise ask it at once.
            if ask_database and self.position() >= position:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            progress.wait_past(self.database, position, min(remaining, _CROSS_PROCESS_POLL))
            # No commit of this process's views in a whole poll: ask the database.
            ask_database = progress.reached(self.database) == reached

    def close(self) -> None:
        self.views.close()
