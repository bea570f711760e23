"""Views that followed a random history live equal views rebuilt from the whole log."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import IntroductionsApp
from domain.errors import DomainError
from domain.introduction import ADMIN, BurnCause, BurnReason
from projections.read_models import ReadModels
from projections.rebuild import rebuild
from projections.runner import ProjectionsRunner
from storage.bootstrap import open_application
from tests.conftest import POSTGRES_URL, FakeClock
from tests.projections.helpers import dump, fresh_storage

PEOPLE = 5
Step = tuple[str, int, int, int]

steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["advance"] * 9
            + ["propose"] * 3
            + ["consent", "decline", "reply", "form", "burn", "expire", "wait", "profile"]
        ),
        st.integers(0, PEOPLE - 1),
        st.integers(0, PEOPLE - 1),
        st.integers(0, 40),
    ),
    min_size=10,
    max_size=60,
)


def _apply(
    app: IntroductionsApp, clock: FakeClock, people: list[str], intros: list[str], step: Step
) -> None:
    op, x, y, n = step
    introduction = intros[n % len(intros)] if intros else None
    try:
        if op == "wait":
            clock.advance(days=n)
        elif op == "propose":
            z = (x + 1 + y % (PEOPLE - 1)) % PEOPLE
            others = [p for i, p in enumerate(people) if i not in (x, z)]
            intros.append(
                str(app.propose(people[x], people[z], others[n % len(others)], "c").introduction.id)
            )
        elif op == "profile":
            app.update_profile(
                people[x], None, display_name=f"P{x}.{n}", needs=[f"n{y}"], offers=[f"n{n % 5}"]
            )
        elif introduction is None:
            return
        elif op == "expire":
            app.expire(introduction)
        elif op == "advance":
            still_open = [i for i in intros if not app.get_introduction(i).is_final]
            if still_open:
                _advance(app, clock, still_open[-1 - n % min(2, len(still_open))], x, y, n)
        else:
            current = app.get_introduction(introduction)
            party = current.parties[x % 2]
            actor = (current.introducer_id, *current.parties)[y % 3]
            if op == "consent":
                app.consent(party, introduction)
            elif op == "decline":
                app.decline(party, introduction, "no")
            elif op == "reply":
                app.record_reply(party, introduction, "hi")
            elif op == "form":
                app.record_relationship_formed(actor, introduction)
            elif op == "burn":
                reasons, causes = list(BurnReason), list(BurnCause)
                app.burn(
                    actor,
                    introduction,
                    party,
                    reasons[n % len(reasons)].value,
                    causes[y % len(causes)].value,
                )
    except DomainError:
        pass  # refused commands write nothing, and are part of a random history


def _advance(
    app: IntroductionsApp, clock: FakeClock, introduction: str, x: int, y: int, n: int
) -> None:
    """Moves an introduction one likely step along its life, so that histories reach
    every outcome instead of mostly refused commands."""
    current = app.get_introduction(introduction)
    status, party = current.status.value, current.parties[x % 2]
    if status == "PROPOSED":
        if x == y == 0:
            app.decline(party, introduction, "no")
        else:
            waiting = [p for p in current.parties if p not in current.consented_by]
            app.consent(waiting[0], introduction)
    elif status == "CONSENTED" and y % 3 == 2:
        clock.advance(days=14 + n % 3)
        app.expire(introduction)
    elif status in ("CONSENTED", "REPLIED") and y % 3 == 0:
        app.record_reply(party, introduction, "hi")
    elif status == "REPLIED" and y % 3 == 1:
        app.record_relationship_formed(current.introducer_id, introduction)
    elif status in ("CONSENTED", "REPLIED"):
        app.burn(
            party,
            introduction,
            current.parties[y % 2],
            "CANNED_MESSAGE",
            ["SKILL", "CARING", "UNKNOWN"][n % 3],
        )


def _check(kind: str, history: list[Step]) -> None:
    clock = FakeClock()
    with fresh_storage(kind) as storage:
        app = open_application(storage, clock=clock)
        read_models = ReadModels(storage, clock=clock)
        try:
            with ProjectionsRunner(storage, clock=clock, sweep_interval=3600):
                people = [str(app.register_person(ADMIN, f"P{i}").person.id) for i in range(PEOPLE)]
                intros: list[str] = []
                for step in history:
                    _apply(app, clock, people, intros, step)
                assert read_models.wait_for(app.recorder.max_notification_id(), timeout=10)
            live = dump(read_models, clock())
            rebuild(storage, clock=clock)
            assert dump(read_models, clock()) == live
        finally:
            read_models.close()
            app.close()


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=steps)
def test_live_equals_rebuilt_sqlite(history: list[Step]) -> None:
    _check("sqlite", history)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="INTRODUCTIONS_TEST_POSTGRES_URL is not set")
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=steps)
def test_live_equals_rebuilt_postgres(history: list[Step]) -> None:
    _check("postgres", history)
