"""Webhook endpoints and deliveries in GraphQL, the admin's alone: the contract's
`webhooks`, `webhookDeliveries` and `registerWebhook`, plus the controls an operator
needs (deactivate, reactivate, rotate the secret, redeliver, replay)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import strawberry

from api.errors import from_domain
from api.schema.context import info_context
from api.schema.idempotency import IdempotencyKeyArgument
from api.schema.mutations import handle, mutation_error
from api.schema.types import (
    DeliveryStatus,
    MutationError,
    RegisterWebhookInput,
    Webhook,
    WebhookDelivery,
    WebhookPayload,
    WebhookRegistration,
)
from api.services import in_thread
from domain.commands import (
    Command,
    DeactivateWebhook,
    ReactivateWebhook,
    RegisterWebhook,
    RotateWebhookSecret,
    WebhookChange,
)
from domain.errors import DomainError
from domain.results import WebhookRegistration as DomainRegistration

Info = strawberry.Info


@strawberry.type
class WebhookStatusPayload:
    webhook: Webhook | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookReplayPayload:
    scheduled: int = 0  # deliveries scheduled again, with their original webhook-ids
    errors: list[MutationError] = strawberry.field(default_factory=list)


def webhook_from(endpoint: Any) -> Webhook:
    # Never the secret: it is shown once, in WebhookRegistration.
    return Webhook(
        id=strawberry.ID(str(endpoint.id)),
        url=endpoint.url,
        event_types=list(endpoint.event_types),
        active=endpoint.active,
        created_at=endpoint.created_on,
    )


def registration_from(result: Any) -> WebhookRegistration:
    return WebhookRegistration(webhook=webhook_from(result.endpoint), secret=result.secret)


def delivery_from(d: Any) -> WebhookDelivery:
    return WebhookDelivery(
        id=strawberry.ID(d.id),
        webhook_id=strawberry.ID(d.webhook_id),
        event_id=strawberry.ID(d.event_id),
        event_type=d.event_type,
        status=DeliveryStatus(str(d.status)),
        attempts=d.attempts,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        next_attempt_at=d.next_attempt_time,
        delivered_at=d.delivered_time,
    )


async def _call(info: Info, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs a use case as the caller, off the event loop."""
    actor = info_context(info).require_actor()
    return await in_thread(fn, actor, *args, **kwargs)


async def list_webhooks(info: Info) -> list[Webhook]:
    try:
        endpoints = await _call(info, info_context(info).services.app.list_webhooks)
    except DomainError as e:
        raise from_domain(e) from None
    return [webhook_from(e) for e in endpoints]


async def list_deliveries(
    info: Info, webhook_id: str, status: DeliveryStatus | None, first: int
) -> list[WebhookDelivery]:
    control = info_context(info).services.webhooks
    wanted = status.value if status is not None else None
    try:
        rows = await _call(info, control.deliveries, webhook_id, wanted, first)
    except DomainError as e:
        raise from_domain(e) from None
    return [delivery_from(d) for d in rows]


def _error(e: DomainError) -> list[MutationError]:
    return [mutation_error(e)]


async def _registration(
    info: Info, command: Command[DomainRegistration], idempotency_key: str | None
) -> WebhookPayload:
    try:
        result = await handle(info, command, idempotency_key)
    except DomainError as e:
        return WebhookPayload(errors=_error(e))
    return WebhookPayload(registration=registration_from(result))


async def _status_change(
    info: Info, command: WebhookChange, idempotency_key: str | None
) -> WebhookStatusPayload:
    try:
        result = await handle(info, command, idempotency_key)
    except DomainError as e:
        return WebhookStatusPayload(errors=_error(e))
    return WebhookStatusPayload(webhook=webhook_from(result.endpoint))


@strawberry.type
class WebhookMutations:
    """Merged into the schema's Mutation type (api.schema)."""

    @strawberry.mutation
    async def register_webhook(
        self,
        info: Info,
        input: RegisterWebhookInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> WebhookPayload:
        command = RegisterWebhook(input.url, input.event_types, input.description)
        return await _registration(info, command, idempotency_key)

    @strawberry.mutation
    async def deactivate_webhook(
        self,
        info: Info,
        id: strawberry.ID,
        reason: str | None = None,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> WebhookStatusPayload:
        return await _status_change(info, DeactivateWebhook(str(id), reason), idempotency_key)

    @strawberry.mutation
    async def reactivate_webhook(
        self, info: Info, id: strawberry.ID, idempotency_key: IdempotencyKeyArgument = None
    ) -> WebhookStatusPayload:
        return await _status_change(info, ReactivateWebhook(str(id)), idempotency_key)

    @strawberry.mutation(
        description="A new secret, shown once; the old one keeps signing for 24 hours."
    )
    async def rotate_webhook_secret(
        self, info: Info, id: strawberry.ID, idempotency_key: IdempotencyKeyArgument = None
    ) -> WebhookPayload:
        return await _registration(info, RotateWebhookSecret(str(id)), idempotency_key)

    @strawberry.mutation(description="Sends one delivery again, with its original webhook-id.")
    async def redeliver_webhook_delivery(
        self, info: Info, id: strawberry.ID, idempotency_key: IdempotencyKeyArgument = None
    ) -> WebhookDeliveryPayload:
        control = info_context(info).services.webhooks
        try:
            delivery = await _call(
                info, control.redeliver, str(id), idempotency_key=idempotency_key
            )
        except DomainError as e:
            return WebhookDeliveryPayload(errors=_error(e))
        return WebhookDeliveryPayload(delivery=delivery_from(delivery))

    @strawberry.mutation(
        description="Sends every matching event since a time again (earlier ones included)."
    )
    async def replay_webhook(
        self,
        info: Info,
        webhook_id: strawberry.ID,
        since: datetime,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> WebhookReplayPayload:
        control = info_context(info).services.webhooks
        try:
            scheduled = await _call(
                info, control.replay, str(webhook_id), since, idempotency_key=idempotency_key
            )
        except DomainError as e:
            return WebhookReplayPayload(errors=_error(e))
        return WebhookReplayPayload(scheduled=scheduled)
