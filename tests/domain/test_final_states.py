"""RELATIONSHIP_FORMED, BURNED, DECLINED and EXPIRED are final: every command, by anyone,
at any later time, is refused and changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from domain.errors import DomainError, InvalidTransition
from domain.introduction import ADMIN, Introduction
from tests.domain.reference import EXPIRE_AFTER, FINAL_STATES, Cast, build

Attempt = Callable[[Introduction, str, datetime, Cast], None]
ATTEMPTS: dict[str, Attempt] = {
    "consent": lambda i, who, at, c: i.consent(who, at),
    "decline": lambda i, who, at, c: i.decline(who, None, at),
    "reply": lambda i, who, at, c: i.record_reply(who, "one more thing", at),
    "relationship": lambda i, who, at, c: i.record_relationship_formed(who, None, at),
    "burn requester": lambda i, who, at, c: i.burn(
        who, c.requester, "UNRESPONSIVE", "CARING", None, at
    ),
    "burn target": lambda i, who, at, c: i.burn(who, c.target, "OTHER", "UNKNOWN", None, at),
    "expire": lambda i, who, at, c: i.expire(at, EXPIRE_AFTER),
}


@pytest.mark.parametrize("state", FINAL_STATES)
@pytest.mark.parametrize("attempt", list(ATTEMPTS))
@pytest.mark.parametrize("days_later", [0, 15, 400])
def test_a_final_state_absorbs_every_command(state: str, attempt: str, days_later: int) -> None:
    cast = Cast.fresh()
    introduction, last = build(state, cast)
    before = copy.deepcopy({k: v for k, v in vars(introduction).items() if k != "_pending_events"})
    at = last + timedelta(days=days_later, seconds=1)

    for actor in (cast.introducer, cast.requester, cast.target, cast.outsider, ADMIN):
        with pytest.raises(DomainError):
            ATTEMPTS[attempt](introduction, actor, at, cast)

    assert introduction.collect_events() == []
    assert {k: v for k, v in vars(introduction).items() if k != "_pending_events"} == before
    assert introduction.is_final


@pytest.mark.parametrize("state", FINAL_STATES)
def test_a_party_hears_that_the_introduction_is_final(state: str) -> None:
    cast = Cast.fresh()
    introduction, last = build(state, cast)
    with pytest.raises(InvalidTransition) as raised:
        introduction.record_reply(cast.requester, "hello?", last + timedelta(days=1))
    assert "final" in raised.value.message
