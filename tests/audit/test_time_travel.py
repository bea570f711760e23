"""introduction_at by version and by instant, on a real SQLite file and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.commands.story import record_seed_story
from domain.errors import BadInput
from domain.introduction import Status
from storage.database import Storage
from tests.audit.helpers import ticking_app
from tests.conftest import FakeClock

# The burned introduction of the seed story, version by version.
BURNED_STORY = {
    1: (Status.PROPOSED, 0, 0),  # (status, consents, replies)
    2: (Status.PROPOSED, 1, 0),
    3: (Status.CONSENTED, 2, 0),
    4: (Status.REPLIED, 2, 1),
    5: (Status.BURNED, 2, 1),
}


def test_every_version_of_the_burned_introduction(storage: Storage, clock: FakeClock) -> None:
    app = ticking_app(storage, clock)
    try:
        burned = record_seed_story(app)["burned"]
        for version, (status, consents, replies) in BURNED_STORY.items():
            then = app.introduction_at(burned, version=version)
            assert then is not None
            assert then.version == version
            assert (then.status, len(then.consented_by), then.replies) == (
                status,
                consents,
                replies,
            )
        # A version beyond the last is the current state.
        latest = app.introduction_at(burned, version=99)
        assert latest is not None
        assert latest.version == 5
    finally:
        app.close()


def test_instants_between_before_and_after_events(storage: Storage, clock: FakeClock) -> None:
    app = ticking_app(storage, clock)
    try:
        burned = record_seed_story(app)["burned"]
        times = {entry.version: entry.occurred_at for entry in app.history(burned)}
        assert len(set(times.values())) == 5, "the ticking clock gives each event its time"

        def version_at(instant_offset: tuple[int, timedelta]) -> int | None:
            version, offset = instant_offset
            then = app.introduction_at(burned, at=times[version] + offset)
            return None if then is None else then.version

        half_way = (times[4] - times[3]) / 2
        assert version_at((3, half_way)) == 3  # between two events: the earlier
        assert version_at((4, timedelta(0))) == 4  # exactly at an event: that event
        assert version_at((4, -timedelta(microseconds=1))) == 3
        assert version_at((1, -timedelta(seconds=1))) is None  # before the first event
        assert version_at((5, timedelta(days=365))) == 5
        for version in times:
            assert version_at((version, timedelta(0))) == version

        both = app.introduction_at(burned, version=2, at=times[4])
        assert both is not None
        assert both.version == 2  # the earlier of the two bounds
    finally:
        app.close()


def test_an_instant_without_an_offset_is_refused(storage: Storage, clock: FakeClock) -> None:
    app = ticking_app(storage, clock)
    try:
        burned = record_seed_story(app)["burned"]
        with pytest.raises(BadInput):
            app.introduction_at(burned, at=clock.now.replace(tzinfo=None))
    finally:
        app.close()
