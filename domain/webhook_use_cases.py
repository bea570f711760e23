"""Use cases of webhook endpoints, the admin's alone. Endpoints are aggregates in the
same log; the dispatcher (package webhooks) follows the log and delivers only
Introduction events."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from uuid import UUID, uuid4

from domain.commands import (
    DeactivateGoneWebhook,
    DeactivateWebhook,
    ReactivateWebhook,
    RegisterWebhook,
    RotateWebhookSecret,
)
from domain.results import WebhookRegistration, WebhookResult
from domain.use_case_base import Decision, UseCaseBase, require_admin
from domain.webhook import (
    WEBHOOK_DIRECTORY_ID,
    WebhookDirectory,
    WebhookEndpoint,
    new_secret,
    private_allowed,
    validate_description,
    validate_event_types,
    validate_url,
)


class WebhookUseCases(UseCaseBase):
    def _admit_registration(self, actor_id: str, c: RegisterWebhook) -> RegisterWebhook:
        require_admin(actor_id, "register webhooks")
        return replace(
            c,
            url=validate_url(c.url, allow_private=private_allowed(), resolver=c.resolver),
            event_types=validate_event_types(c.event_types),
            description=validate_description(c.description),
        )

    def _register(self, actor_id: str, c: RegisterWebhook) -> Decision[WebhookRegistration]:
        """The endpoint, listed in the directory in the same save; it receives the
        Introduction events recorded after that save's position."""
        at = self._now()
        endpoint = WebhookEndpoint(
            id=uuid4(),
            url=c.url,
            event_types=list(c.event_types or []),
            description=c.description,
            secret=new_secret(),
            actor_id=actor_id,
            timestamp=at,
        )
        directory = self._get(WebhookDirectory, WEBHOOK_DIRECTORY_ID, "id") or WebhookDirectory(
            id=WEBHOOK_DIRECTORY_ID, actor_id=actor_id, timestamp=at
        )
        # A registration racing this one lists itself first: the save fails, and retries.
        directory.listed(webhook_id=str(endpoint.id), actor_id=actor_id, timestamp=at)
        return Decision((endpoint, directory), partial(_registration_of, endpoint))

    def _admit_deactivation(self, actor_id: str, c: DeactivateWebhook) -> DeactivateWebhook:
        require_admin(actor_id, "deactivate webhooks")
        validate_description(c.reason)
        return c

    def _deactivate(self, actor_id: str, c: DeactivateWebhook) -> Decision[WebhookResult]:
        endpoint = self._endpoint(c.webhook_id)
        endpoint.deactivate(c.reason, actor_id, self._now())
        return Decision((endpoint,), partial(WebhookResult, endpoint))

    def _deactivate_gone(self, _actor_id: str, c: DeactivateGoneWebhook) -> Decision[WebhookResult]:
        endpoint = self._endpoint(c.webhook_id)
        endpoint.deactivate(c.reason, None, self._now())  # the system's doing
        return Decision((endpoint,), partial(WebhookResult, endpoint))

    def _reactivate(self, actor_id: str, c: ReactivateWebhook) -> Decision[WebhookResult]:
        endpoint = self._endpoint(c.webhook_id)
        endpoint.reactivate(actor_id, self._now())
        return Decision((endpoint,), partial(WebhookResult, endpoint))

    def _rotate(self, actor_id: str, c: RotateWebhookSecret) -> Decision[WebhookRegistration]:
        endpoint = self._endpoint(c.webhook_id)
        endpoint.rotate_secret(new_secret(), actor_id, self._now())
        return Decision((endpoint,), partial(_registration_of, endpoint))

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

    def _endpoint_at(self, webhook_id: UUID, version: int) -> WebhookEndpoint:
        endpoint: object = self.repository.get(webhook_id, version=version)
        assert isinstance(endpoint, WebhookEndpoint)
        return endpoint

    def _webhook_result(self, webhook_id: UUID, version: int) -> WebhookResult:
        return WebhookResult(self._endpoint_at(webhook_id, version), self._position_now())

    def _registration(self, webhook_id: UUID, version: int) -> WebhookRegistration:
        # The secret as of that version: the one the first answer showed.
        return _registration_of(self._endpoint_at(webhook_id, version), self._position_now())

    def _endpoint(self, webhook_id: str | UUID) -> WebhookEndpoint:
        return self._existing(WebhookEndpoint, webhook_id, "id", "webhook", None)


def _registration_of(endpoint: WebhookEndpoint, position: int) -> WebhookRegistration:
    """The endpoint with its current secret (shown once: on registration and rotation)."""
    return WebhookRegistration(endpoint, endpoint.secret, position)
