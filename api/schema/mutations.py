"""Mutation resolvers. Expected failures come back as data (`errors`), and nothing is
written then. After a write, the resolver waits (bounded) until the read models have
caught up with it, so the client's next query already reflects its own write."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import strawberry

from api import metrics
from api.schema.coach import as_warnings, assess_reply
from api.schema.context import Context, info_context
from api.schema.idempotency import IdempotencyKeyArgument, token_not_shown_again
from api.schema.types import (
    BurnCause,
    BurnIntroductionInput,
    ErrorCode,
    IntroductionPayload,
    MutationError,
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
from domain.application import CommandResult, PersonResult
from domain.errors import DomainError
from domain.token_use_cases import IssuedToken
from domain.use_case_base import canonical_id
from projections.own_writes import fold_own_write

Info = strawberry.Info
log = logging.getLogger("introductions.api")


@dataclass(frozen=True)
class Revoked:
    position: int


Result = TypeVar("Result", CommandResult, PersonResult, IssuedToken, Revoked)


def mutation_error(error: DomainError) -> MutationError:
    metrics.ERRORS.labels(code=error.code).inc()
    return MutationError(code=ErrorCode(error.code), message=error.message, field=error.field)


async def write_then_read_your_writes(
    ctx: Context, command: Callable[..., Result], *args: Any, **kwargs: Any
) -> Result:
    """Runs the command, then waits (bounded) until the read models have processed its
    write, in one trip to a worker thread rather than two. When this process follows an
    SQLite log, the same thread folds the write into the views (projections.own_writes)."""
    views = ctx.services.read_models
    timeout = ctx.services.read_your_writes_timeout

    def write_and_wait() -> tuple[Result, bool]:
        result = command(*args, **kwargs)
        fold_own_write(views.database, result.position)
        return result, views.wait_for(result.position, timeout)

    result, caught_up = await in_waiting_thread(write_and_wait)
    if not caught_up:
        log.warning(
            "read models did not reach position %s in time; is the projection worker running?",
            result.position,
            extra={"request_id": ctx.request_id},
        )
    return result


async def as_actor(
    info: Info, command: Callable[..., Result], *args: Any, idempotency_key: str | None
) -> Result | list[MutationError]:
    """The command run by the caller, or its expected failure as a payload's errors."""
    ctx = info_context(info)
    actor = ctx.require_actor()
    try:
        return await write_then_read_your_writes(
            ctx, command, actor, *args, idempotency_key=idempotency_key
        )
    except DomainError as e:
        return [mutation_error(e)]


async def change(
    info: Info, command: Callable[..., CommandResult], *args: Any, idempotency_key: str | None
) -> IntroductionPayload:
    result = await as_actor(info, command, *args, idempotency_key=idempotency_key)
    if isinstance(result, list):
        return IntroductionPayload(errors=result)
    return IntroductionPayload(introduction=introduction_from(result.introduction))


async def person_change(
    info: Info, command: Callable[..., PersonResult], *args: Any, idempotency_key: str | None
) -> PersonPayload:
    result = await as_actor(info, command, *args, idempotency_key=idempotency_key)
    if isinstance(result, list):
        return PersonPayload(errors=result)
    return PersonPayload(person=person_from(result.person))


async def requester_warnings(ctx: Context, requester_id: str) -> list[str]:
    """The requester's screening reasons when it is not CLEAR (the proposal still stands)."""
    views = ctx.services.read_models
    record = await in_thread(views.track_record, requester_id)
    return [] if str(record.screening) == "CLEAR" else list(record.reasons)


@strawberry.type
class CoreMutations:
    @strawberry.mutation
    async def register_person(
        self,
        info: Info,
        input: RegisterPersonInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> PersonPayload:
        return await person_change(
            info,
            info_context(info).services.app.register_person,
            input.display_name,
            input.organization,
            input.offers,
            input.needs,
            idempotency_key=idempotency_key,
        )

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
        ctx = info_context(info)
        actor = ctx.require_actor()
        app = ctx.services.app
        try:
            issued = await write_then_read_your_writes(  # so that myTokens lists it
                ctx,
                app.issue_access_token,
                actor,
                str(person_id),
                expires_at,
                expires_in_seconds,
                idempotency_key=idempotency_key,
            )
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
        actor = ctx.require_actor()
        app = ctx.services.app
        token_id = canonical_id(str(id))  # "ABC…", "urn:uuid:abc…", "{abc…}": one token
        try:
            await write_then_read_your_writes(
                ctx,
                lambda: Revoked(
                    app.revoke_token(actor, token_id, reason, idempotency_key=idempotency_key)
                ),
            )
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
        ctx = info_context(info)
        payload = await change(
            info,
            ctx.services.app.propose,
            str(input.requester_id),
            str(input.target_id),
            input.context,
            input.guidelines,
            idempotency_key=idempotency_key,
        )
        if payload.introduction is not None:
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
        app = info_context(info).services.app
        return await change(
            info, app.consent, str(id), expected_version, idempotency_key=idempotency_key
        )

    @strawberry.mutation
    async def decline_introduction(
        self,
        info: Info,
        id: strawberry.ID,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> IntroductionPayload:
        app = info_context(info).services.app
        return await change(
            info, app.decline, str(id), reason, expected_version, idempotency_key=idempotency_key
        )

    @strawberry.mutation(
        description="Records a reply. With a message, the payload carries the reply "
        "coach's reading of it (replyAssessment), and its findings in warnings when the "
        "verdict is not GOOD; the reply is recorded either way."
    )
    async def record_reply(
        self,
        info: Info,
        id: strawberry.ID,
        message: str | None = None,
        expected_version: int | None = None,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> IntroductionPayload:
        ctx = info_context(info)
        payload = await change(
            info,
            ctx.services.app.record_reply,
            str(id),
            message,
            expected_version,
            idempotency_key=idempotency_key,
        )
        if payload.introduction is not None:
            assessment = await assess_reply(ctx, payload.introduction, ctx.require_actor(), message)
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
        app = info_context(info).services.app
        return await change(
            info,
            app.record_relationship_formed,
            str(id),
            note,
            expected_version,
            idempotency_key=idempotency_key,
        )

    @strawberry.mutation
    async def burn_introduction(
        self,
        info: Info,
        input: BurnIntroductionInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> IntroductionPayload:
        app = info_context(info).services.app
        return await change(
            info,
            app.burn,
            str(input.id),
            str(input.blamed_person_id),
            input.reason.value,
            (input.cause or BurnCause.UNKNOWN).value,
            input.note,
            input.expected_version,
            idempotency_key=idempotency_key,
        )
