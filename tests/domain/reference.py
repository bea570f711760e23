"""The rules of docs/domain.md written out independently of the code under test: who may
cause each event, from which status, and what status follows. The tests build
Introductions in every reachable state and compare the aggregate against this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain.introduction import ADMIN, Introduction

T0 = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
EXPIRE_AFTER = timedelta(days=14)

INTRODUCER = "introducer"
REQUESTER = "requester"
TARGET = "target"
OUTSIDER = "outsider"
ADMIN_ROLE = "admin"
ROLES = (INTRODUCER, REQUESTER, TARGET, OUTSIDER, ADMIN_ROLE)
PARTIES = frozenset({REQUESTER, TARGET})
PARTIES_OR_INTRODUCER = frozenset({INTRODUCER, REQUESTER, TARGET})

# Commands an actor can issue, and who may cause the event (the table's 2nd column).
CONSENT = "consent"
DECLINE = "decline"
REPLY = "reply"
RELATIONSHIP = "relationship"
BURN = "burn"
ACTOR_COMMANDS = (CONSENT, DECLINE, REPLY, RELATIONSHIP, BURN)
WHO_MAY = {
    CONSENT: PARTIES,
    DECLINE: PARTIES,
    REPLY: PARTIES,
    RELATIONSHIP: PARTIES_OR_INTRODUCER,
    BURN: PARTIES_OR_INTRODUCER,
}
EVENT_OF = {
    CONSENT: "ConsentGiven",
    DECLINE: "ConsentDeclined",
    REPLY: "ReplyRecorded",
    RELATIONSHIP: "RelationshipFormed",
    BURN: "IntroductionBurned",
    "expire": "IntroductionExpired",
}

# Every state worth telling apart. PROPOSED is split by who has consented so far.
PROPOSED = "PROPOSED"
PROPOSED_REQUESTER_CONSENTED = "PROPOSED+requester consented"
PROPOSED_TARGET_CONSENTED = "PROPOSED+target consented"
CONSENTED = "CONSENTED"
REPLIED = "REPLIED"
RELATIONSHIP_FORMED = "RELATIONSHIP_FORMED"
BURNED = "BURNED"
DECLINED = "DECLINED"
EXPIRED = "EXPIRED"
STATES = (
    PROPOSED,
    PROPOSED_REQUESTER_CONSENTED,
    PROPOSED_TARGET_CONSENTED,
    CONSENTED,
    REPLIED,
    RELATIONSHIP_FORMED,
    BURNED,
    DECLINED,
    EXPIRED,
)
FINAL_STATES = (RELATIONSHIP_FORMED, BURNED, DECLINED, EXPIRED)

# The accepted (state, command, role) triples and the status after them; everything
# else is refused.
ALLOWED: dict[tuple[str, str, str], str] = {
    (PROPOSED, CONSENT, REQUESTER): "PROPOSED",
    (PROPOSED, CONSENT, TARGET): "PROPOSED",
    (PROPOSED, DECLINE, REQUESTER): "DECLINED",
    (PROPOSED, DECLINE, TARGET): "DECLINED",
    (PROPOSED_REQUESTER_CONSENTED, CONSENT, TARGET): "CONSENTED",
    (PROPOSED_REQUESTER_CONSENTED, DECLINE, REQUESTER): "DECLINED",
    (PROPOSED_REQUESTER_CONSENTED, DECLINE, TARGET): "DECLINED",
    (PROPOSED_TARGET_CONSENTED, CONSENT, REQUESTER): "CONSENTED",
    (PROPOSED_TARGET_CONSENTED, DECLINE, REQUESTER): "DECLINED",
    (PROPOSED_TARGET_CONSENTED, DECLINE, TARGET): "DECLINED",
    (CONSENTED, REPLY, REQUESTER): "REPLIED",
    (CONSENTED, REPLY, TARGET): "REPLIED",
    (CONSENTED, BURN, INTRODUCER): "BURNED",
    (CONSENTED, BURN, REQUESTER): "BURNED",
    (CONSENTED, BURN, TARGET): "BURNED",
    (REPLIED, REPLY, REQUESTER): "REPLIED",
    (REPLIED, REPLY, TARGET): "REPLIED",
    (REPLIED, RELATIONSHIP, INTRODUCER): "RELATIONSHIP_FORMED",
    (REPLIED, RELATIONSHIP, REQUESTER): "RELATIONSHIP_FORMED",
    (REPLIED, RELATIONSHIP, TARGET): "RELATIONSHIP_FORMED",
    (REPLIED, BURN, INTRODUCER): "BURNED",
    (REPLIED, BURN, REQUESTER): "BURNED",
    (REPLIED, BURN, TARGET): "BURNED",
}
# Expiry is caused by the system, from CONSENTED only (once the period has passed).
EXPIRABLE = frozenset({CONSENTED})

STATUS_OF_STATE = {s: (PROPOSED if s.startswith(PROPOSED) else s) for s in STATES}


def refusal(state: str, command: str, role: str) -> str | None:
    """The error a refused command gets from the aggregate, or None if it is allowed:
    Forbidden when no role of the actor may cause the event at all, else
    InvalidTransition."""
    if (state, command, role) in ALLOWED:
        return None
    if role not in WHO_MAY[command]:
        return "Forbidden"
    return "InvalidTransition"


@dataclass(frozen=True)
class Cast:
    """Who is who in one introduction (ids as the application would have them)."""

    introducer: str
    requester: str
    target: str
    outsider: str

    @classmethod
    def fresh(cls) -> Cast:
        return cls(str(uuid4()), str(uuid4()), str(uuid4()), str(uuid4()))

    def id_of(self, role: str) -> str:
        return ADMIN if role == ADMIN_ROLE else str(getattr(self, role))


def run(introduction: Introduction, command: str, actor_id: str, at: datetime, cast: Cast) -> None:
    """Issue one actor command to the aggregate, with valid arguments."""
    actions: dict[str, Callable[[], None]] = {
        CONSENT: lambda: introduction.consent(actor_id, at),
        DECLINE: lambda: introduction.decline(actor_id, "Not now, thanks.", at),
        REPLY: lambda: introduction.record_reply(actor_id, "Hello, glad to meet you.", at),
        RELATIONSHIP: lambda: introduction.record_relationship_formed(
            actor_id, "They work together now.", at
        ),
        BURN: lambda: introduction.burn(
            actor_id, cast.requester, "TRANSACTIONAL_ASK", "SKILL", None, at
        ),
    }
    actions[command]()


# How to reach each state from a new proposal: (command, role) steps, one hour apart.
PATHS: dict[str, list[tuple[str, str]]] = {
    PROPOSED: [],
    PROPOSED_REQUESTER_CONSENTED: [(CONSENT, REQUESTER)],
    PROPOSED_TARGET_CONSENTED: [(CONSENT, TARGET)],
    CONSENTED: [(CONSENT, REQUESTER), (CONSENT, TARGET)],
    REPLIED: [(CONSENT, REQUESTER), (CONSENT, TARGET), (REPLY, REQUESTER)],
    RELATIONSHIP_FORMED: [
        (CONSENT, REQUESTER),
        (CONSENT, TARGET),
        (REPLY, REQUESTER),
        (RELATIONSHIP, INTRODUCER),
    ],
    BURNED: [(CONSENT, REQUESTER), (CONSENT, TARGET), (BURN, TARGET)],
    DECLINED: [(DECLINE, TARGET)],
    EXPIRED: [(CONSENT, REQUESTER), (CONSENT, TARGET), ("expire", "system")],
}


def propose(cast: Cast, at: datetime = T0) -> Introduction:
    return Introduction.propose(
        id=uuid4(),
        introducer_id=cast.introducer,
        requester_id=cast.requester,
        target_id=cast.target,
        context="Jim manages projects; John hires project managers.",
        guidelines="Learn what John's organization does before you write.",
        at=at,
    )


def build(state: str, cast: Cast) -> tuple[Introduction, datetime]:
    """An Introduction in the given state, as if loaded from storage (no pending
    events), and the time of its last event."""
    introduction = propose(cast)
    at = T0
    for command, role in PATHS[state]:
        if command == "expire":
            at = at + EXPIRE_AFTER
            introduction.expire(at, EXPIRE_AFTER)
        else:
            at = at + timedelta(hours=1)
            run(introduction, command, cast.id_of(role), at, cast)
    introduction.collect_events()
    assert introduction.status.value == STATUS_OF_STATE[state]
    return introduction, at
