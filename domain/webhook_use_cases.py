"""Use cases of webhook endpoints, the admin's alone. Endpoints are aggregates in the
same log; the dispatcher (package webhooks) follows the log and delivers only
Introduction events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from domain.errors import ConcurrencyConflict, NotFound
from domain.use_case_base import MAX_ATTEMPTS, UseCaseBase, busy, canonical_id, require_admin
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
        idempotency_key: str | None = None,
    ) -> WebhookRegistration:
        """The endpoint, its secret (shown once, or again to a retry with the same
        idempotency key) and the position of its registration: it receives the
        Introduction events recorded after that position."""
        require_admin(actor_id, "register webhooks")
        url = validate_url(url, allow_private=private_allowed(), resolver=resolver)
        types = validate_event_types(event_types)
        description = validate_description(description)
        return self._once(
            actor_id,
            idempotency_key,
            "registerWebhook",
            [url, types, description],
            lambda: self._register(actor_id, url, types, description),
            self._registration,
        )

    def _register(
        self, actor_id: str, url: str, types: list[str], description: str | None
    ) -> WebhookRegistration:
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
        self,
        actor_id: str,
        webhook_id: str | UUID,
        reason: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> WebhookResult:
        require_admin(actor_id, "deactivate webhooks")
        reason = validate_description(reason)
        return self._once(
            actor_id,
            idempotency_key,
            "deactivateWebhook",
            [canonical_id(webhook_id), reason],
            lambda: self._change_webhook(
                webhook_id, lambda e: e.deactivate(reason, actor_id, self._now())
            ),
            self._webhook_result,
        )

    def deactivate_gone_webhook(self, webhook_id: str | UUID, reason: str) -> WebhookResult:
        """The dispatcher's own deactivation (410 Gone); the actor is the system (None)."""
        return self._change_webhook(webhook_id, lambda e: e.deactivate(reason, None, self._now()))

    def reactivate_webhook(
        self, actor_id: str, webhook_id: str | UUID, *, idempotency_key: str | None = None
    ) -> WebhookResult:
        require_admin(actor_id, "reactivate webhooks")
        return self._once(
            actor_id,
            idempotency_key,
            "reactivateWebhook",
            [canonical_id(webhook_id)],
            lambda: self._change_webhook(webhook_id, lambda e: e.reactivate(actor_id, self._now())),
            self._webhook_result,
        )

    def rotate_webhook_secret(
        self, actor_id: str, webhook_id: str | UUID, *, idempotency_key: str | None = None
    ) -> WebhookRegistration:
        """A new secret, shown once (or again to a retry with the same idempotency key);
        the old one still signs for 24 hours."""
        require_admin(actor_id, "rotate the secret of webhooks")
        return self._once(
            actor_id,
            idempotency_key,
            "rotateWebhookSecret",
            [canonical_id(webhook_id)],
            lambda: self._rotate(actor_id, webhook_id),
            self._registration,
        )

    def _rotate(self, actor_id: str, webhook_id: str | UUID) -> WebhookRegistration:
        secret = new_secret()
        result = self._change_webhook(
            webhook_id, lambda e: e.rotate_secret(secret, actor_id, self._now())
        )
        return WebhookRegistration(result.endpoint, secret, result.position)

    def _endpoint_at(self, webhook_id: UUID, version: int) -> WebhookEndpoint:
        endpoint: object = self.repository.get(webhook_id, version=version)
        assert isinstance(endpoint, WebhookEndpoint)
        return endpoint

    def _webhook_result(self, webhook_id: UUID, version: int) -> WebhookResult:
        return WebhookResult(self._endpoint_at(webhook_id, version), self._position_now())

    def _registration(self, webhook_id: UUID, version: int) -> WebhookRegistration:
        # The secret as of that version: the one the first answer showed.
        endpoint = self._endpoint_at(webhook_id, version)
        return WebhookRegistration(endpoint, endpoint.secret, self._position_now())

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
