"""Random sequences of commands by random actors never break the invariants.

The reference model below is written from the table of docs/domain.md alone; the aggregate
must agree with it after every step: same decision (accepted, or refused with the same
error), same status, one version and one event per accepted command, nothing changed by a
refused one, nothing accepted once final, and a replay of the recorded events giving the
same state."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import errors
from domain.introduction import Introduction
from tests.domain.reference import EXPIRE_AFTER, T0, Cast, propose

ROLES = ("introducer", "requester", "target", "outsider", "admin")
COMMANDS = ("consent", "decline", "reply", "relationship", "burn", "expire")
FINAL = {"RELATIONSHIP_FORMED", "BURNED", "DECLINED", "EXPIRED"}
PARTIES = {"requester", "target"}
WHO_MAY = {
    "consent": PARTIES,
    "decline": PARTIES,
    "reply": PARTIES,
    "relationship": PARTIES | {"introducer"},
    "burn": PARTIES | {"introducer"},
}
ALLOWED_FROM = {
    "consent": {"PROPOSED"},
    "decline": {"PROPOSED"},
    "reply": {"CONSENTED", "REPLIED"},
    "relationship": {"REPLIED"},
    "burn": {"CONSENTED", "REPLIED"},
    "expire": {"CONSENTED"},
}
TEXT_LIMIT = {"decline": 2_000, "reply": 10_000, "relationship": 2_000, "burn": 2_000}


@dataclass(frozen=True)
class Step:
    command: str
    role: str
    hours_later: int
    blamed: str  # for burn: a role; only requester and target are parties
    oversize_text: bool


@dataclass
class Model:
    status: str = "PROPOSED"
    consented: set[str] = field(default_factory=set)
    consented_at: datetime | None = None

    def decide(self, step: Step, now: datetime) -> str | None:
        """The error a step gets, or None if accepted (and then apply it)."""
        if step.command == "expire":
            if self.status != "CONSENTED":
                return "InvalidTransition"
            assert self.consented_at is not None
            if now - self.consented_at < EXPIRE_AFTER:
                return "InvalidTransition"
            self.status = "EXPIRED"
            return None
        if step.role not in WHO_MAY[step.command]:
            return "Forbidden"
        if self.status not in ALLOWED_FROM[step.command]:
            return "InvalidTransition"
        if step.command == "consent" and step.role in self.consented:
            return "InvalidTransition"
        if step.command == "burn" and step.blamed not in PARTIES:
            return "BadInput"
        if step.oversize_text and step.command in TEXT_LIMIT:
            return "BadInput"
        if step.command == "consent":
            self.consented.add(step.role)
            if self.consented == PARTIES:
                self.status, self.consented_at = "CONSENTED", now
        else:
            self.status = {
                "decline": "DECLINED",
                "reply": "REPLIED",
                "relationship": "RELATIONSHIP_FORMED",
                "burn": "BURNED",
            }[step.command]
        return None


def status_implied_by(events: list[Any], cast: Cast) -> str:
    """Fold the recorded event types into a status, as docs/domain.md's last column says."""
    status, consents = "", set()
    for e in events:
        name = type(e).__name__
        if name == "IntroductionProposed":
            status = "PROPOSED"
        elif name == "ConsentGiven":
            consents.add(e.actor_id)
            if consents == {cast.requester, cast.target}:
                status = "CONSENTED"
        else:
            status = {
                "ConsentDeclined": "DECLINED",
                "ReplyRecorded": "REPLIED",
                "RelationshipFormed": "RELATIONSHIP_FORMED",
                "IntroductionBurned": "BURNED",
                "IntroductionExpired": "EXPIRED",
            }[name]
    return status


def issue(introduction: Introduction, step: Step, cast: Cast, at: datetime) -> None:
    who = cast.id_of(step.role)
    limit = TEXT_LIMIT.get(step.command, 0)
    text = "z" * (limit + 1 if step.oversize_text else min(limit, 50))
    if step.command == "consent":
        introduction.consent(who, at)
    elif step.command == "decline":
        introduction.decline(who, text, at)
    elif step.command == "reply":
        introduction.record_reply(who, text, at)
    elif step.command == "relationship":
        introduction.record_relationship_formed(who, text, at)
    elif step.command == "burn":
        blamed = cast.id_of(step.blamed)
        introduction.burn(who, blamed, "MISUSED_CONTACT", "CARING", text, at)
    else:
        introduction.expire(at, EXPIRE_AFTER)


def snapshot(introduction: Introduction) -> dict[str, Any]:
    return copy.deepcopy({k: v for k, v in vars(introduction).items() if k != "_pending_events"})


steps = st.builds(
    Step,
    command=st.sampled_from(COMMANDS),
    role=st.sampled_from(ROLES),
    hours_later=st.sampled_from([0, 1, 5, 24, 24 * 7, 24 * 13, 24 * 15]),
    blamed=st.sampled_from(["requester", "target", "requester", "target", "introducer"]),
    oversize_text=st.sampled_from([False, False, False, True]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, max_size=30))
def test_random_command_sequences_keep_every_invariant(sequence: list[Step]) -> None:
    cast = Cast.fresh()
    introduction = propose(cast)
    recorded = list(introduction.collect_events())
    model = Model()
    now = T0

    for step in sequence:
        now += timedelta(hours=step.hours_later)
        before = snapshot(introduction)
        was_final = introduction.status.value in FINAL
        expected_error = model.decide(step, now)

        refused: errors.DomainError | None = None
        try:
            issue(introduction, step, cast, now)
        except errors.DomainError as e:
            refused = e
        if refused is not None:
            assert type(refused).__name__ == expected_error, step
            assert snapshot(introduction) == before
            assert introduction.collect_events() == []
        else:
            assert expected_error is None, step
            assert not was_final
            new_events = introduction.collect_events()
            assert len(new_events) == 1
            assert introduction.version == before["_version"] + 1
            assert new_events[0].originator_version == introduction.version
            recorded.extend(new_events)

        assert introduction.status.value == model.status
        assert introduction.status.value == status_implied_by(recorded, cast)

    replayed = None
    for event in recorded:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Introduction)
    assert snapshot(replayed) == snapshot(introduction)
    assert [e.originator_version for e in recorded] == list(range(1, len(recorded) + 1))
