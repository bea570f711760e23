"""Every command by every role in every state, against the table of docs/domain.md."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from domain import errors
from domain.introduction import Introduction
from tests.domain.reference import (
    ACTOR_COMMANDS,
    ALLOWED,
    EVENT_OF,
    EXPIRABLE,
    EXPIRE_AFTER,
    ROLES,
    STATES,
    Cast,
    build,
    refusal,
    run,
)

CASES = [(s, c, r) for s in STATES for c in ACTOR_COMMANDS for r in ROLES]


def observable(introduction: Introduction) -> dict[str, object]:
    state = {k: v for k, v in vars(introduction).items() if k != "_pending_events"}
    return copy.deepcopy(state)


@pytest.mark.parametrize(
    ("state", "command", "role"),
    [c for c in CASES if c in ALLOWED],
    ids=lambda v: str(v),
)
def test_allowed_command_records_one_event_and_moves_the_status(
    state: str, command: str, role: str
) -> None:
    cast = Cast.fresh()
    introduction, last = build(state, cast)
    version = introduction.version
    at = last + timedelta(minutes=5)

    run(introduction, command, cast.id_of(role), at, cast)

    assert introduction.status.value == ALLOWED[(state, command, role)]
    assert introduction.version == version + 1
    [new_event] = introduction.collect_events()
    assert type(new_event).__name__ == EVENT_OF[command]
    assert new_event.originator_version == version + 1
    assert new_event.actor_id == cast.id_of(role)  # type: ignore[attr-defined]
    assert new_event.timestamp == at


@pytest.mark.parametrize(
    ("state", "command", "role"),
    [c for c in CASES if c not in ALLOWED],
    ids=lambda v: str(v),
)
def test_refused_command_raises_its_error_and_changes_nothing(
    state: str, command: str, role: str
) -> None:
    cast = Cast.fresh()
    introduction, last = build(state, cast)
    before = observable(introduction)
    expected = getattr(errors, refusal(state, command, role) or "")

    with pytest.raises(errors.DomainError) as raised:
        run(introduction, command, cast.id_of(role), last + timedelta(minutes=5), cast)

    assert type(raised.value) is expected
    assert raised.value.message
    assert introduction.version == before["_version"]
    assert introduction.collect_events() == []
    assert observable(introduction) == before


@pytest.mark.parametrize("state", STATES)
def test_expire_is_allowed_only_from_consented_once_the_period_has_passed(
    state: str,
) -> None:
    cast = Cast.fresh()
    introduction, last = build(state, cast)
    before = observable(introduction)
    at = last + EXPIRE_AFTER + timedelta(days=1)

    if state in EXPIRABLE:
        introduction.expire(at, EXPIRE_AFTER)
        assert introduction.status.value == "EXPIRED"
        [expired] = introduction.collect_events()
        assert type(expired).__name__ == "IntroductionExpired"
        assert expired.actor_id is None  # type: ignore[attr-defined]
    else:
        with pytest.raises(errors.InvalidTransition):
            introduction.expire(at, EXPIRE_AFTER)
        assert introduction.collect_events() == []
        assert observable(introduction) == before


def test_the_table_covers_both_outcomes_for_every_state() -> None:
    # A guard on the test data itself: no state without a refusal, no command unused.
    assert {c for (_, c, _) in ALLOWED} == set(ACTOR_COMMANDS)
    for state in STATES:
        assert any((state, c, r) not in ALLOWED for c in ACTOR_COMMANDS for r in ROLES)
