"""Use cases of webhook endpoints, the admin's alone. Endpoints are aggregates in the
same log; the dispatcher (package webhooks) follows the log and delivers only
Introduction events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from domain.errors import ConcurrencyConflict, NotFound
from domain.use_case_base import MAX_ATTEMPTS, UseCaseBase, busy, require_admin
from domain.webhook import (
    WEBHOOK_DIRECTORY_ID,
    Resolver,
    WebhookDirectory,
    WebhookEndpoint,
    new_secret,
    private_allowed,
    resolve,
    validate_description,
    validate_event_types,
    validate_url,
)


@dataclass(frozen=True)
class WebhookResult:
    endpoint: WebhookEndpoint
    position: int


@dataclass(frozen=True)
class WebhookRegistration:
    endpoint: WebhookEndpoint
    secret: str  # shown once: on registration and on rotation
    position: int


class WebhookUseCases(UseCaseBase):
    def register_webhook(
        self,
        actor_id: str,
        url: str,
        event_types: Sequence[str] | None = None,
        description: str | None = None,
        *,
        resolver: Resolver = resolve,
    ) -> WebhookRegistration:
        """The endpoint, its secret (shown once) and the position of its registration:
        it receives the Introduction events recorded after that position."""
        require_admin(actor_id, "register webhooks")
        url = validate_url(url, allow_private=private_allowed(), resolver=resolver)
        types = validate_event_types(event_types)
        description = validate_description(description)
        secret = new_secret()
        for _ in range(MAX_ATTEMPTS):
            at = self._now()
            endpoint = WebhookEndpoint(
                id=uuid4(),
                url=url,
                event_types=types,
                description=description,
                secret=secret,
                actor_id=actor_id,
                timestamp=at,
            )
            directory = self._get(WebhookDirectory, WEBHOOK_DIRECTORY_ID, "id") or WebhookDirectory(
                id=WEBHOOK_DIRECTORY_ID, actor_id=actor_id, timestamp=at
            )
            directory.listed(webhook_id=str(endpoint.id), actor_id=actor_id, timestamp=at)
            try:
                position = self._save(endpoint, directory)
            except ConcurrencyConflict:
                continue  # another registration listed itself first; list after it
            return WebhookRegistration(endpoint, secret, position)
        raise busy()

    def get_webhook(self, actor_id: str, webhook_id: str | UUID) -> WebhookEndpoint:
        require_admin(actor_id, "read webhooks")
        return self._endpoint(webhook_id)

    def list_webhooks(self, actor_id: str) -> list[WebhookEndpoint]:
        require_admin(actor_id, "list webhooks")
        directory = self._get(WebhookDirectory, WEBHOOK_DIRECTORY_ID, "id")
        if directory is None:
            return []
        found = (self._get(WebhookEndpoint, i, "id") for i in directory.webhook_ids)
        return [e for e in found if e is not None]

    def deactivate_webhook(
        self, actor_id: str, webhook_id: str | UUID, reason: str | None = None
    ) -> WebhookResult:
        require_admin(actor_id, "deactivate webhooks")
        reason = validate_description(reason)
        return self._change_webhook(
            webhook_id, lambda e: e.deactivate(reason, actor_id, self._now())
        )

    def deactivate_gone_webhook(self, webhook_id: str | UUID, reason: str) -> WebhookResult:
        """The dispatcher's own deactivation (410 Gone); the actor is the system (None)."""
        return self._change_webhook(webhook_id, lambda e: e.deactivate(reason, None, self._now()))

    def reactivate_webhook(self, actor_id: str, webhook_id: str | UUID) -> WebhookResult:
        require_admin(actor_id, "reactivate webhooks")
        return self._change_webhook(webhook_id, lambda e: e.reactivate(actor_id, self._now()))

    def rotate_webhook_secret(self, actor_id: str, webhook_id: str | UUID) -> WebhookRegistration:
        """A new secret, shown once; the old one still signs for 24 hours."""
        require_admin(actor_id, "rotate the secret of webhooks")
        secret = new_secret()
        result = self._change_webhook(
            webhook_id, lambda e: e.rotate_secret(secret, actor_id, self._now())
        )
        return WebhookRegistration(result.endpoint, secret, result.position)

    def _endpoint(self, webhook_id: str | UUID) -> WebhookEndpoint:
        endpoint = self._get(WebhookEndpoint, webhook_id, "id")
        if endpoint is None:
            msg = f"No webhook has the id {webhook_id}."
            raise NotFound(msg)
        return endpoint

    def _change_webhook(
        self, webhook_id: str | UUID, command: Callable[[WebhookEndpoint], None]
    ) -> WebhookResult:
        for _ in range(MAX_ATTEMPTS):
            endpoint = self._endpoint(webhook_id)
            command(endpoint)
            try:
                return WebhookResult(endpoint, self._save(endpoint))
            except ConcurrencyConflict:
                continue
        raise busy()
