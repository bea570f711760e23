"""A 10,000-event introduction answers time travel from its snapshots (timing is
measured in bench/audit.py, not asserted here)."""

from __future__ import annotations

from datetime import timedelta

from bench.seed import build_long_introduction, time_of
from domain.audit import verify_aggregate
from storage.bootstrap import open_application
from storage.database import Storage

VERSIONS = 10_000
REPLIES_BEFORE = 3  # versions 1-3 are the proposal and two consents


def test_ten_thousand_events(storage: Storage) -> None:
    app = open_application(storage)
    try:
        introduction_id = build_long_introduction(app, VERSIONS)
        last = app.introduction_at(introduction_id, version=VERSIONS)
        assert last is not None
        assert (last.version, last.replies) == (VERSIONS, VERSIONS - REPLIES_BEFORE)

        middle = app.introduction_at(introduction_id, version=7_777)
        assert middle is not None
        assert (middle.version, middle.replies) == (7_777, 7_777 - REPLIES_BEFORE)

        between = app.introduction_at(introduction_id, at=time_of(4_321) + timedelta(seconds=0.5))
        assert between is not None
        assert between.version == 4_321
        assert app.introduction_at(introduction_id, at=time_of(1) - timedelta(seconds=1)) is None

        assert app.snapshots is not None
        (latest_snapshot,) = app.snapshots.get(introduction_id, desc=True, limit=1)
        assert latest_snapshot.originator_version == VERSIONS
        report = verify_aggregate(app, introduction_id)
        assert (report.ok, report.events) == (True, VERSIONS)
    finally:
        app.close()


def test_every_instant_of_a_hundred_events(sqlite_storage: Storage) -> None:
    # Both halves of the search: the binary probes and the final window read.
    app = open_application(sqlite_storage)
    try:
        introduction_id = build_long_introduction(app, 100)
        for version in range(1, 101):
            for offset in (timedelta(0), timedelta(seconds=0.5)):
                then = app.introduction_at(introduction_id, at=time_of(version) + offset)
                assert then is not None
                assert then.version == version
    finally:
        app.close()
