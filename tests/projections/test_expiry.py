"""The sweeper expires stale CONSENTED introductions found through the expiry view."""

from __future__ import annotations

from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from projections.read_models import ReadModels
from projections.runner import ProjectionsRunner
from storage.database import Storage
from tests.conftest import FakeClock


def test_sweeper_expires_the_stale_consented_introduction(
    storage: Storage, app: IntroductionsApp, read_models: ReadModels, clock: FakeClock
) -> None:
    introducer, a, b, c, d = (
        str(app.register_person(ADMIN, name).person.id) for name in ("I", "A", "B", "C", "D")
    )

    def consented(requester: str, target: str) -> str:
        introduction = str(app.propose(introducer, requester, target, "ctx").introduction.id)
        app.consent(requester, introduction)
        app.consent(target, introduction)
        return introduction

    stale = consented(a, b)
    replied = consented(a, c)
    app.record_reply(c, replied, "hello")
    clock.advance(days=5)
    recent = consented(b, c)  # consented 10 days before the sweep: not stale yet
    proposed = str(app.propose(introducer, c, d, "ctx").introduction.id)  # never consented
    clock.advance(days=10)  # 15 days after the first consents

    with ProjectionsRunner(storage, clock=clock, sweep_interval=3600) as runner:
        assert read_models.wait_for(app.recorder.max_notification_id(), timeout=10)
        assert runner.sweep_now() == [stale]
        assert read_models.wait_for(app.recorder.max_notification_id(), timeout=10)
        assert runner.sweep_now() == []  # nothing twice

    statuses = {row.id: row.status for row in read_models.introductions.page().rows}
    assert statuses == {
        stale: "EXPIRED",
        replied: "REPLIED",
        recent: "CONSENTED",
        proposed: "PROPOSED",
    }
    assert read_models.track_record(a).ghosted == 1
    assert read_models.track_record(b).ghosted == 1
    assert read_models.track_record(c).ghosted == 0
    reputation = read_models.reputation(introducer)
    assert reputation is not None
    assert reputation.expired == 1
    assert read_models.views.expiry_candidates.due(clock()) == [recent]


def test_ghosting_twice_means_caution(
    storage: Storage, app: IntroductionsApp, read_models: ReadModels, clock: FakeClock
) -> None:
    introducer, other, a, b = (
        str(app.register_person(ADMIN, name).person.id) for name in ("I", "O", "A", "B")
    )
    for requester, target in ((a, b), (a, other)):
        introduction = app.propose(introducer, requester, target, "ctx").introduction.id
        app.consent(requester, introduction)
        app.consent(target, introduction)
    clock.advance(days=15)
    with ProjectionsRunner(storage, clock=clock, sweep_interval=0.05):
        end = app.recorder.max_notification_id()
        assert read_models.wait_for(end + 2, timeout=10)  # two expiries recorded and seen
    record = read_models.track_record(a)
    assert (record.ghosted, record.screening) == (2, "CAUTION")
    assert record.reasons == [
        "ghosted 2 introductions: consented, then never replied before it expired"
    ]
