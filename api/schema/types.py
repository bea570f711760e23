"""The GraphQL types of contract.graphql. Each is built from a domain object or a read
model row by a `from_*` function; domain objects never leave the edge as GraphQL types."""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

import strawberry
from strawberry.scalars import JSON

from api.errors import UNAUTHENTICATED, error_with_code
from api.render import entry_as_dict
from api.schema.context import info_context
from api.services import in_thread
from domain.application import HistoryEntry
from domain.coach import Verdict
from domain.introduction import BurnCause as DomainBurnCause
from domain.introduction import BurnReason as DomainBurnReason
from domain.introduction import Status
from domain.personal import ERASED_TEXT, plain
from projections.records import Reputation, TrackRecord, copied
from projections.screening import Screening

if TYPE_CHECKING:
    from domain.coach import Assessment as CoachAssessment
    from domain.introduction import Introduction as DomainIntroduction
    from domain.person import Person as DomainPerson

Info = strawberry.Info


# The domain's own enums, declared to GraphQL under the contract's names (strawberry
# marks the class itself, so the names below are the domain's classes).
strawberry.enum(Status, name="IntroductionStatus")
strawberry.enum(DomainBurnReason, name="BurnReason")
strawberry.enum(DomainBurnCause, name="BurnCause")
strawberry.enum(Verdict, name="MessageVerdict")
strawberry.enum(Screening)
IntroductionStatus = Status
BurnReason = DomainBurnReason
BurnCause = DomainBurnCause
MessageVerdict = Verdict


@strawberry.type
class MessageFinding:
    reason: BurnReason
    evidence: str = strawberry.field(description="The words of the message that show it.")
    advice: str = strawberry.field(description="What to write instead, in a sentence.")


@strawberry.type(
    description="The reply coach's reading of a message: how likely it is to burn the "
    "introduction, and why. The same text, setting and coachVersion give the same answer."
)
class MessageAssessment:
    verdict: MessageVerdict
    risk: float = strawberry.field(description="0 to 1.")
    findings: list[MessageFinding]
    coach_version: str


def assessment_from(assessment: CoachAssessment) -> MessageAssessment:
    return MessageAssessment(
        verdict=MessageVerdict(assessment.verdict.value),
        risk=assessment.risk,
        findings=[
            MessageFinding(reason=BurnReason(f.reason), evidence=f.evidence, advice=f.advice)
            for f in assessment.findings
        ],
        coach_version=assessment.coach_version,
    )


@strawberry.enum
class ErrorCode(Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    CONCURRENCY_CONFLICT = "CONCURRENCY_CONFLICT"
    FORBIDDEN = "FORBIDDEN"


@strawberry.enum
class DeliveryStatus(Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.type
class MutationError:
    code: ErrorCode
    message: str
    field: str | None = None


# A GraphQL type that extends a read model's record has the record's fields, in their
# order, but those it declares Private (an id that GraphQL offers, if at all, as an object).
@strawberry.type
class PersonTrackRecord(TrackRecord):
    person_id: strawberry.Private[str]


def track_record_from(record: TrackRecord) -> PersonTrackRecord:
    return copied(PersonTrackRecord, record)


@strawberry.type
class Person:
    id: strawberry.ID
    display_name: str
    organization: str | None
    offers: list[str]
    needs: list[str]

    @strawberry.field
    async def track_record(self, info: Info) -> PersonTrackRecord:
        ctx = info_context(info)
        return track_record_from(await ctx.loaders.track_records.load(str(self.id)))


def person_from(person: DomainPerson) -> Person:
    return Person(
        id=strawberry.ID(str(person.id)),
        display_name=person.display_name,
        organization=person.organization,
        offers=list(person.offers),
        needs=list(person.needs),
    )


@strawberry.type(
    description="One event of an introduction's log. Webhook bodies carry the same event: "
    "`type`, a `timestamp` (occurredAt) and `data` with introductionId, version and actorId "
    "added; the README's event catalogue has one example per type."
)
class IntroductionEvent:
    id: strawberry.ID = strawberry.field(
        description="Stable: the same in history, subscriptions and webhook-id."
    )
    introduction_id: strawberry.ID
    version: int = strawberry.field(
        description="1, 2, 3, … per introduction: order events by it (deliveries are not ordered)."
    )
    type: str = strawberry.field(
        description="IntroductionProposed, ConsentGiven, ConsentDeclined, ReplyRecorded, "
        "RelationshipFormed, IntroductionBurned or IntroductionExpired."
    )
    occurred_at: datetime
    actor_id: strawberry.ID | None
    data: JSON = strawberry.field(
        description="The event's own fields, with camelCase keys as everywhere a client "
        "sees them (history, subscriptions, webhooks, `history --json`), e.g. "
        "{introducerId, requesterId, targetId, context, guidelines} for "
        "IntroductionProposed or {blamedPersonId, reason, cause, note} for "
        "IntroductionBurned. Stored events keep their own names."
    )
    hash: str = strawberry.field(
        description="The event's link in its introduction's hash chain (SHA-256, hex): "
        "`introductions verify` recomputes it from the stored events."
    )


def event_from(entry: HistoryEntry) -> IntroductionEvent:
    as_dict = entry_as_dict(entry)  # the same JSON shape as `introductions history --json`
    return IntroductionEvent(
        id=strawberry.ID(as_dict["id"]),
        introduction_id=strawberry.ID(as_dict["introductionId"]),
        version=entry.version,
        type=entry.type,
        occurred_at=entry.occurred_at,
        actor_id=strawberry.ID(entry.actor_id) if entry.actor_id is not None else None,
        data=as_dict["data"],
        hash=as_dict["hash"],
    )


async def _person(info: Info, person_id: str) -> Person:
    person = await info_context(info).loaders.person(person_id)
    if person is None:  # a stored introduction names only registered persons
        msg = f"person {person_id} of an introduction is missing"
        raise LookupError(msg)
    return person


@strawberry.type
class Introduction:
    id: strawberry.ID
    version: int
    status: IntroductionStatus
    context: str
    guidelines: str | None
    proposed_at: datetime
    updated_at: datetime
    introducer_id: strawberry.Private[str]
    requester_id: strawberry.Private[str]
    target_id: strawberry.Private[str]
    consented_by_ids: strawberry.Private[list[str]]

    @strawberry.field
    async def introducer(self, info: Info) -> Person:
        return await _person(info, self.introducer_id)

    @strawberry.field
    async def requester(self, info: Info) -> Person:
        return await _person(info, self.requester_id)

    @strawberry.field
    async def target(self, info: Info) -> Person:
        return await _person(info, self.target_id)

    @strawberry.field
    async def consented_by(self, info: Info) -> list[Person]:
        # gather, so that the loader sees every id in one tick and loads them in one batch
        return list(await asyncio.gather(*(_person(info, pid) for pid in self.consented_by_ids)))

    @strawberry.field
    async def history(self, info: Info) -> list[IntroductionEvent]:
        ctx = info_context(info)
        entries = await in_thread(ctx.services.app.history, str(self.id), ctx.actor_id)
        # For a past state (introductionAt), the history as it was then.
        return [event_from(e) for e in entries if e.version <= self.version]


def introduction_from(introduction: DomainIntroduction) -> Introduction:
    return Introduction(
        id=strawberry.ID(str(introduction.id)),
        version=introduction.version,
        status=IntroductionStatus(introduction.status.value),
        context=plain(introduction.context) or ERASED_TEXT,
        guidelines=plain(introduction.guidelines),
        proposed_at=introduction.created_on,
        updated_at=introduction.modified_on,
        introducer_id=introduction.introducer_id,
        requester_id=introduction.requester_id,
        target_id=introduction.target_id,
        consented_by_ids=list(introduction.consented_by),
    )


@strawberry.type
class IntroducerReputation(Reputation):
    introducer_id: strawberry.Private[str]

    @strawberry.field
    async def introducer(self, info: Info) -> Person:
        return await _person(info, self.introducer_id)


def reputation_from(r: Reputation) -> IntroducerReputation:
    return copied(IntroducerReputation, r)


def no_reputation(introducer_id: str) -> IntroducerReputation:
    """A registered person who has proposed nothing yet: the Beta prior, (0+1)/(0+2)."""
    return IntroducerReputation(
        introducer_id=introducer_id,
        score=0.5,
        ranking_score=0.0,
        proposed=0,
        consented=0,
        declined=0,
        replied=0,
        relationships_formed=0,
        burned=0,
        expired=0,
    )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class IntroductionEdge:
    cursor: str
    node: Introduction


@strawberry.type
class IntroductionConnection:
    edges: list[IntroductionEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class PersonEdge:
    cursor: str
    node: Person


@strawberry.type
class PersonConnection:
    edges: list[PersonEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="One of my tokens: its id and dates, never the token itself.")
class AccessTokenInfo:
    token_id: strawberry.ID = strawberry.field(description="What revokeToken takes.")
    created_at: datetime
    expires_at: datetime | None = strawberry.field(description="null: it never expires.")
    revoked: bool


@strawberry.input
class IntroductionFilter:
    introducer_id: strawberry.ID | None = None
    person_id: strawberry.ID | None = None
    status: IntroductionStatus | None = None


@strawberry.type
class Webhook:
    id: strawberry.ID
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime


@strawberry.type
class WebhookRegistration:
    webhook: Webhook
    secret: str


@strawberry.type
class WebhookDelivery:
    id: strawberry.ID
    webhook_id: strawberry.ID
    event_id: strawberry.ID
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


@strawberry.type
class Health:
    ok: bool
    storage: str
    position: strawberry.Private[int | None]  # None: not for this caller

    @strawberry.field
    def last_position(self) -> int:
        if self.position is None:
            message = (
                "lastPosition needs a token in production: send Authorization: Bearer <token>."
            )
            raise error_with_code(message, UNAUTHENTICATED)
        return self.position


@strawberry.input
class RegisterPersonInput:
    display_name: str
    organization: str | None = None
    offers: list[str] | None = None
    needs: list[str] | None = None


@strawberry.input
class ProposeIntroductionInput:
    requester_id: strawberry.ID
    target_id: strawberry.ID
    context: str
    guidelines: str | None = None


@strawberry.input
class BurnIntroductionInput:
    id: strawberry.ID
    blamed_person_id: strawberry.ID
    reason: BurnReason
    cause: BurnCause | None = BurnCause.UNKNOWN
    note: str | None = None
    expected_version: int | None = None


@strawberry.input
class RegisterWebhookInput:
    url: str
    event_types: list[str] | None = None
    description: str | None = None


@strawberry.type
class PersonPayload:
    person: Person | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class TokenPayload:
    token: str | None = None
    token_id: strawberry.ID | None = strawberry.field(
        default=None, description="The token's public id: revokeToken takes it."
    )
    expires_at: datetime | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class RevokeTokenPayload:
    token_id: strawberry.ID | None = None
    revoked: bool = False
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class IntroductionPayload:
    introduction: Introduction | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)
    warnings: list[str] = strawberry.field(default_factory=list)
    reply_assessment: MessageAssessment | None = strawberry.field(
        default=None,
        description="recordReply with a message: the reply coach's reading of it (its "
        "findings are in warnings too when the verdict is not GOOD). Null otherwise.",
    )


@strawberry.type
class WebhookPayload:
    registration: WebhookRegistration | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)
