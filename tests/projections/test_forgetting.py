"""Forgetting: an outcome's weight halves every half-life, read at the injected clock."""

from __future__ import annotations

import pytest

from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from projections.read_models import ReadModels
from storage.database import Storage
from tests.conftest import FakeClock
from tests.projections.helpers import project


def _people(app: IntroductionsApp) -> list[str]:
    return [str(app.register_person(ADMIN, name).person.id) for name in "ABCDE"]


def _burn(app: IntroductionsApp, introducer: str, requester: str, target: str) -> None:
    introduction = app.propose(introducer, requester, target, "context").introduction.id
    app.consent(requester, introduction)
    app.consent(target, introduction)
    app.burn(target, introduction, requester, "NO_RESEARCH", "SKILL")


def _form(app: IntroductionsApp, introducer: str, requester: str, target: str) -> None:
    introduction = app.propose(introducer, requester, target, "context").introduction.id
    app.consent(requester, introduction)
    app.consent(target, introduction)
    app.record_reply(requester, introduction, "hello")
    app.record_relationship_formed(introducer, introduction)


def test_a_burn_180_days_old_weighs_one_half(
    app: IntroductionsApp, read_models: ReadModels, clock: FakeClock
) -> None:
    introducer, a, b, c, _ = _people(app)
    _burn(app, introducer, a, b)
    project(app, read_models)
    fresh = read_models.reputation(introducer)
    assert fresh is not None
    assert fresh.score == pytest.approx(1 / 3, abs=1e-12)  # s = 1

    clock.advance(days=180)
    old = read_models.reputation(introducer)
    assert old is not None
    assert old.score == pytest.approx(1 / 2.5, abs=1e-12)  # s = 0.5
    assert old.burned == 1  # counts never fade

    _form(app, introducer, a, c)  # r = 1 now, s = 0.5
    project(app, read_models)
    mixed = read_models.reputation(introducer)
    assert mixed is not None
    assert mixed.score == pytest.approx(2 / 3.5, abs=1e-12)

    clock.advance(days=90)  # r = 2^-0.5, s = 0.5 * 2^-0.5
    later = read_models.reputation(introducer)
    assert later is not None
    r, s = 2**-0.5, 0.5 * 2**-0.5
    assert later.score == pytest.approx((r + 1) / (r + s + 2), abs=1e-12)


def test_the_half_life_is_configurable(
    storage: Storage, app: IntroductionsApp, clock: FakeClock
) -> None:
    models = ReadModels(storage, clock=clock, half_life_days=90)
    try:
        introducer, a, b, _, _ = _people(app)
        _burn(app, introducer, a, b)
        project(app, models)
        clock.advance(days=180)  # two half-lives: s = 0.25
        record = models.reputation(introducer)
        assert record is not None
        assert record.score == pytest.approx(1 / 2.25, abs=1e-12)
    finally:
        models.close()


def test_an_expiry_weighs_half_a_burn(
    app: IntroductionsApp, read_models: ReadModels, clock: FakeClock
) -> None:
    introducer, a, b, _, _ = _people(app)
    introduction = app.propose(introducer, a, b, "context").introduction.id
    app.consent(a, introduction)
    app.consent(b, introduction)
    clock.advance(days=14)
    app.expire(introduction)
    project(app, read_models)
    record = read_models.reputation(introducer)
    assert record is not None
    assert record.expired == 1
    assert record.score == pytest.approx(1 / 2.5, abs=1e-12)  # s = 0.5 * w, w = 1


def test_the_leaderboard_prefers_40_of_45_to_1_of_1(
    app: IntroductionsApp, read_models: ReadModels
) -> None:
    people = _people(app)
    steady, lucky = people[0], people[1]
    others = people[2:]
    for i in range(45):
        requester, target = others[i % 3], others[(i + 1) % 3]
        (_form if i < 40 else _burn)(app, steady, requester, target)
    _form(app, lucky, others[0], others[1])
    project(app, read_models)
    board = read_models.leaderboard(first=2)
    assert [r.introducer_id for r in board] == [steady, lucky]
    assert board[0].ranking_score > board[1].ranking_score
    assert read_models.leaderboard(first=1) == board[:1]
    assert read_models.leaderboard(first=0) == []
