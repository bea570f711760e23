"""Mutation resolvers. Expected failures come back as data (`errors`), and nothing is
written then. After a write, the resolver waits (bounded) until the read models have
caught up with it, so the client's next query already reflects its own write."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import strawberry

from api import metrics
from api.schema.coach import CoachPeople, as_warnings, assess_reply, has_text
from api.schema.context import Context, info_context, selects
from api.schema.idempotency import IdempotencyKeyArgument, token_not_shown_again
from api.schema.types import (
    BurnCause,
    BurnIntroductionInput,
    ErrorCode,
    Introduction,
    IntroductionPayload,
    MutationError,
    Person,
    PersonPayload,
    ProposeIntroductionInput,
    RegisterPersonInput,
    RevokeTokenPayload,
    TokenPayload,
    assessment_from,
    introduction_from,
    person_from,
)
from api.services import in_thread, in_waiting_thread
from domain.commands import (
    Burn,
    Command,
    Consent,
    Decline,
    IssueToken,
    Propose,
    RecordRelationshipFormed,
    RecordReply,
    RegisterPerson,
    RevokeToken,
)
from domain.errors import DomainError
from domain.results import CommandResult, IssuedToken, PersonResult
from domain.use_case_base import canonical_id
from projections.screening import Screening

Info = strawberry.Info
log = logging.getLogger("introductions.api")
R = TypeVar("R")
# Each with its log position (a revocation answers just that).
Result = TypeVar("Result", CommandResult, PersonResult, IssuedToken, int)
A = TypeVar("A")  # what a mutation answers, built in its write's thread


def mutation_error(error: DomainError) -> MutationError:
    metrics.ERRORS.labels(code=error.code).inc()
    return MutationError(code=ErrorCode(error.code), message=error.message, field=error.field)


async def handle(info: Info, command: Command[R], idempotency_key: str | None) -> R:
    """Runs the command as the caller, off the event loop."""
    ctx = info_context(info)
    actor = ctx.require_actor()
    return await in_thread(ctx.services.app.handle, actor, command, idempotency_key)


async def write_then_read_your_writes(
    ctx: Context, command: Command[Result], idempotency_key: str | None
) -> Result:
    """Runs the command as the caller, then waits (bounded) until the read models have
    its write, in one trip to a worker thread rather than two."""
    return await write_then_answer(ctx, command, idempotency_key, _itself)


async def write_then_answer(
    ctx: Context,
    command: Command[Result],
    idempotency_key: str | None,
    answer: Callable[[Result], A],
) -> A:
    """As write_then_read_your_writes, and `answer` (given the result) in the same thread:
    the payload's reads would cost another trip, and opening its sealed fields may read
    keys from storage, never done on the event loop."""
    actor = ctx.require_actor()
    app, views = ctx.services.app, ctx.services.read_models
    timeout = ctx.services.read_your_writes_timeout

    def write_and_wait() -> tuple[A, int, bool]:
        result = app.handle(actor, command, idempotency_key)
        position = _position(result)
        caught_up = views.wait_for_own_write(position, timeout)
        return answer(result), position, caught_up

    answered, position, caught_up = await in_waiting_thread(write_and_wait)
    if not caught_up:
        log.warning(
            "read models did not reach position %s in time; is the projection worker running?",
            position,
            extra={"request_id": ctx.request_id},
        )
    return answered


def _itself(result: Result) -> Result:
    return result


def _position(result: CommandResult | PersonResult | IssuedToken | int) -> int:
    return result if isinstance(result, int) else result.position


async def person_change(
    info: Info, command: Command[PersonResult], idempotency_key: str | None
) -> PersonPayload:
    def answer(result: PersonResult) -> Person:
        return person_from(result.person)

    try:
        person = await write_then_answer(info_context(info), command, idempotency_key, answer)
    except DomainError as e:
        return PersonPayload(errors=[mutation_error(e)])
    return PersonPayload(person=person)


async def change(
    info: Info,
    command: Command[CommandResult],
    idempotency_key: str | None,
    then: Callable[[CommandResult], None] | None = None,
) -> IntroductionPayload:
    """`then`, given the result, runs in the write's thread too (its own reads)."""

    def answer(result: CommandResult) -> Introduction:
        if then is not None:
            then(result)
        return introduction_from(result.introduction)

    try:
        introduction = await write_then_answer(info_context(info), command, idempotency_key, answer)
    except DomainError as e:
        return IntroductionPayload(errors=[mutation_error(e)])
    return IntroductionPayload(introduction=introduction)


async def requester_warnings(ctx: Context, requester_id: str) -> list[str]:
    """The requester's screening reasons when it is not CLEAR (the proposal still stands)."""
    views = ctx.services.read_models
    record = await in_thread(views.track_record, requester_id)
    return [] if record.screening == Screening.CLEAR else list(record.reasons)


@strawberry.type
class CoreMutations:
    @strawberry.mutation
    async def register_person(
        self,
        info: Info,
        input: RegisterPersonInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> PersonPayload:
        command = RegisterPerson(input.display_name, input.organization, input.offers, input.needs)
        return await person_change(info, command, idempotency_key)

    @strawberry.mutation(
        description="A token for a person, shown once. It expires at expiresAt, or "
        "expiresInSeconds from now (at most one of them), or never."
    )
    async def issue_token(
        self,
        info: Info,
        person_id: strawberry.ID,
        expires_at: datetime | None = None,
        expires_in_seconds: int | None = None,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> TokenPayload:
        command = IssueToken(str(person_id), expires_at, expires_in_seconds)
        try:
            # with the views' wait, so that myTokens lists it
            issued = await write_then_read_your_writes(info_context(info), command, idempotency_key)
        except DomainError as e:
            return TokenPayload(errors=[mutation_error(e)])
        token_id = strawberry.ID(str(issued.token_id))
        # A repeat by key: the token's id and expiry, but never the token again.
        errors = [] if issued.token is not None else [token_not_shown_again(token_id)]
        return TokenPayload(
            token=issued.token, token_id=token_id, expires_at=issued.expires_at, errors=errors
        )

    @strawberry.mutation(
        description="Revokes a token at once. The admin may revoke any token; a person "
        "only their own (others get NOT_FOUND)."
    )
    async def revoke_token(
        self,
        info: Info,
        id: strawberry.ID,
        reason: str | None = None,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> RevokeTokenPayload:
        ctx = info_context(info)
        token_id = canonical_id(str(id))  # "ABC…", "urn:uuid:abc…", "{abc…}": one token
        try:
            await write_then_read_your_writes(ctx, RevokeToken(token_id, reason), idempotency_key)
        except DomainError as e:
            return RevokeTokenPayload(errors=[mutation_error(e)])
        # This process stops accepting it now; others within their cache's lifetime.
        ctx.services.known_tokens.forget(token_id)
        return RevokeTokenPayload(token_id=strawberry.ID(token_id), revoked=True)

    @strawberry.mutation
    async def propose_introduction(
        self,
        info: Info,
        input: ProposeIntroductionInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> IntroductionPayload:
        command = Propose(
            str(input.requester_id), str(input.target_id), input.context, input.guidelines
        )
        payload = await change(info, command, idempotency_key)
        if payload.introduction is not None:
            ctx = info_context(info)
            payload.warnings = await requester_warnings(ctx, payload.introduction.requester_id)
        return payload

    @strawberry.mutation
    async def consent_to_introduction(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int | None = None,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> IntroductionPayload:
        command = Consent(str(id), expected_version=expected_version)
        return await change(info, command, idempotency_key)

    @strawberry.mutation
    async def decline_introduction(
        self,
        info: Info,
        id: strawberry.ID,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> IntroductionPayload:
        command = Decline(str(id), reason, expected_version=expected_version)
        return await change(info, command, idempotency_key)

    @strawberry.mutation
    async def record_reply(
        self,
        info: Info,
        id: strawberry.ID,
        message: str | None = None,
        expected_version: int | None = None,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> IntroductionPayload:
        command = RecordReply(str(id), message, expected_version=expected_version)
        ctx = info_context(info)
        actor = ctx.require_actor()
        # The coach runs only for a client that selected what it answers; its people are
        # read in the write's own trip to a thread.
        wanted = selects(info, "warnings") or selects(info, "replyAssessment")
        people = CoachPeople(ctx, actor) if wanted and has_text(message) else None
        payload = await change(info, command, idempotency_key, people)
        if payload.introduction is not None and people is not None:
            people.prime()
            assessment = await assess_reply(ctx, payload.introduction, actor, message)
            if assessment is not None:
                payload.reply_assessment = assessment_from(assessment)
                payload.warnings = as_warnings(assessment)
        return payload

    @strawberry.mutation
    async def record_relationship_formed(
        self,
        info: Info,
        id: strawberry.ID,
        note: str | None = None,
        expected_version: int | None = None,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> IntroductionPayload:
        command = RecordRelationshipFormed(str(id), note, expected_version=expected_version)
        return await change(info, command, idempotency_key)

    @strawberry.mutation
    async def burn_introduction(
        self,
        info: Info,
        input: BurnIntroductionInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> IntroductionPayload:
        command = Burn(
            str(input.id),
            blamed_person_id=str(input.blamed_person_id),
            reason=input.reason.value,
            cause=(input.cause or BurnCause.UNKNOWN).value,
            note=input.note,
            expected_version=input.expected_version,
        )
        return await change(info, command, idempotency_key)
