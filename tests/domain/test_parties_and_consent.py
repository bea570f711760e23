"""Consent once each; CONSENTED after both; the blamed person of a burn is a party;
three different people in every introduction."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from domain.errors import BadInput, InvalidTransition
from domain.introduction import Introduction
from tests.domain.reference import CONSENTED, PROPOSED, REPLIED, T0, Cast, build, propose

HOUR = timedelta(hours=1)


def test_one_consent_keeps_it_proposed_and_the_second_makes_it_consented() -> None:
    cast = Cast.fresh()
    introduction = propose(cast)

    introduction.consent(cast.target, T0 + HOUR)
    assert introduction.status.value == "PROPOSED"
    assert introduction.consented_by == [cast.target]

    introduction.consent(cast.requester, T0 + 2 * HOUR)
    assert introduction.status.value == "CONSENTED"
    assert introduction.consented_at == T0 + 2 * HOUR  # the time of the second consent


@pytest.mark.parametrize("who", ["requester", "target"])
def test_a_party_cannot_consent_twice(who: str) -> None:
    cast = Cast.fresh()
    introduction = propose(cast)
    introduction.consent(getattr(cast, who), T0 + HOUR)
    introduction.collect_events()

    with pytest.raises(InvalidTransition):
        introduction.consent(getattr(cast, who), T0 + 2 * HOUR)

    assert introduction.status.value == "PROPOSED"
    assert introduction.collect_events() == []
    assert introduction.version == 2


def test_a_party_who_consented_may_still_decline_before_the_other_consents() -> None:
    cast = Cast.fresh()
    introduction = propose(cast)
    introduction.consent(cast.requester, T0 + HOUR)
    introduction.decline(cast.requester, "Changed my mind.", T0 + 2 * HOUR)
    assert introduction.status.value == "DECLINED"
    assert introduction.outcome == {"declined_by": cast.requester, "reason": "Changed my mind."}


@pytest.mark.parametrize("state", [CONSENTED, REPLIED])
@pytest.mark.parametrize("blamed", ["requester", "target"])
def test_a_burn_blames_one_of_the_two_parties(state: str, blamed: str) -> None:
    cast = Cast.fresh()
    introduction, at = build(state, cast)
    introduction.burn(
        cast.introducer, getattr(cast, blamed), "TRANSACTIONAL_ASK", "SKILL", "why", at + HOUR
    )
    assert introduction.status.value == "BURNED"
    assert introduction.outcome["blamed_person_id"] == getattr(cast, blamed)


@pytest.mark.parametrize("blamed", ["introducer", "outsider", "admin", "not-a-person"])
def test_a_burn_blaming_anyone_but_a_party_is_refused(blamed: str) -> None:
    cast = Cast.fresh()
    introduction, at = build(REPLIED, cast)
    blamed_id = getattr(cast, blamed, blamed)

    with pytest.raises(BadInput) as raised:
        introduction.burn(cast.target, blamed_id, "TRANSACTIONAL_ASK", "SKILL", None, at + HOUR)

    assert raised.value.field == "blamedPersonId"
    assert introduction.status.value == "REPLIED"
    assert introduction.collect_events() == []


@pytest.mark.parametrize(
    ("reason", "cause", "field"),
    [
        ("RUDE", "SKILL", "reason"),
        ("TRANSACTIONAL_ASK", "MALICE", "cause"),
        ("", "SKILL", "reason"),
    ],
)
def test_a_burn_reason_and_cause_must_be_known_values(reason: str, cause: str, field: str) -> None:
    cast = Cast.fresh()
    introduction, at = build(CONSENTED, cast)

    with pytest.raises(BadInput) as raised:
        introduction.burn(cast.target, cast.requester, reason, cause, None, at + HOUR)

    assert raised.value.field == field
    assert introduction.collect_events() == []


def test_replies_are_counted_and_each_replier_remembered_once() -> None:
    cast = Cast.fresh()
    introduction, at = build(CONSENTED, cast)
    for n, who in enumerate([cast.requester, cast.target, cast.requester], start=1):
        introduction.record_reply(who, f"reply {n}", at + n * HOUR)
    assert introduction.status.value == "REPLIED"
    assert introduction.replies == 3
    assert introduction.replied_by == [cast.requester, cast.target]


@pytest.mark.parametrize(
    ("introducer", "requester", "target"),
    [("a", "a", "b"), ("a", "b", "a"), ("a", "b", "b"), ("a", "a", "a")],
)
def test_an_introduction_needs_three_different_people(
    introducer: str, requester: str, target: str
) -> None:
    with pytest.raises(BadInput):
        Introduction.propose(
            id=uuid4(),
            introducer_id=introducer,
            requester_id=requester,
            target_id=target,
            context="context",
            guidelines=None,
            at=T0,
        )


def test_a_new_proposal_is_proposed_by_its_introducer() -> None:
    cast = Cast.fresh()
    introduction = propose(cast)
    [proposed] = introduction.collect_events()
    assert type(proposed).__name__ == "IntroductionProposed"
    assert proposed.actor_id == cast.introducer  # type: ignore[attr-defined]
    assert introduction.version == 1
    assert introduction.status.value == PROPOSED
