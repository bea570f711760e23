"""The seed story, read through the projections that followed it live."""

from __future__ import annotations

import pytest

from api.commands.story import record_seed_story
from domain.application import IntroductionsApp
from projections.read_models import ReadModels
from projections.runner import ProjectionsRunner
from storage.database import Storage
from tests.conftest import FakeClock


def test_seed_story_numbers(
    storage: Storage, app: IntroductionsApp, read_models: ReadModels, clock: FakeClock
) -> None:
    with ProjectionsRunner(storage, clock=clock, half_life_days=180, sweep_interval=3600):
        ids = record_seed_story(app)
        last = app.recorder.max_notification_id()
        assert read_models.wait_for(last, timeout=10)

    kent = read_models.reputation(ids["kent"])
    assert kent is not None
    assert kent.score == pytest.approx(2 / 3, abs=1e-12)
    assert kent.ranking_score == pytest.approx(0.2065, abs=5e-5)
    assert (kent.proposed, kent.consented, kent.replied, kent.relationships_formed) == (1, 1, 1, 1)
    assert (kent.burned, kent.expired, kent.declined) == (0, 0, 0)

    jason = read_models.reputation(ids["jason"])
    assert jason is not None
    assert jason.score == pytest.approx(1 / 3, abs=1e-12)
    assert jason.ranking_score == 0.0
    assert (jason.proposed, jason.burned, jason.relationships_formed) == (1, 1, 0)

    jim = read_models.track_record(ids["jim"])
    assert jim.burns_blamed == 1
    assert jim.screening == "CAUTION"
    assert any("TRANSACTIONAL_ASK" in reason for reason in jim.reasons)
    assert jim.reasons == ["blamed in 1 burned introduction: TRANSACTIONAL_ASK, cause SKILL"]
    assert (jim.introductions_as_party, jim.consents_given, jim.replies_sent) == (1, 1, 1)

    john = read_models.track_record(ids["john"])
    assert (john.screening, john.reasons, john.burns_blamed) == ("CLEAR", [], 0)

    assert [r.introducer_id for r in read_models.leaderboard()] == [ids["kent"], ids["jason"]]
    assert read_models.reputation(ids["jim"]) is None  # never proposed
    assert read_models.position() == last


def test_unknown_person_has_an_empty_track_record(read_models: ReadModels) -> None:
    record = read_models.track_record("00000000-0000-0000-0000-000000000000")
    assert (record.introductions_as_party, record.burns_blamed, record.ghosted) == (0, 0, 0)
    assert (record.screening, record.reasons) == ("CLEAR", [])


def test_wait_for_times_out_without_a_worker(
    app: IntroductionsApp, read_models: ReadModels
) -> None:
    ids = record_seed_story(app)
    assert ids
    assert read_models.wait_for(app.recorder.max_notification_id(), timeout=0.1) is False
    assert read_models.position() == 0
