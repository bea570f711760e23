"""The commands as methods, for scripts, benchmarks and tests: each builds its command
(domain/commands.py) and hands it to `IntroductionsApp.handle`, which the API and the CLI
call directly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from domain.commands import (
    Burn,
    Command,
    Consent,
    DeactivateGoneWebhook,
    DeactivateWebhook,
    Decline,
    Expire,
    IssueToken,
    Propose,
    ReactivateWebhook,
    RecordRelationshipFormed,
    RecordReply,
    RegisterPerson,
    RegisterWebhook,
    RevokeToken,
    RotateWebhookSecret,
    UpdateProfile,
)
from domain.introduction import ADMIN, BurnCause
from domain.results import (
    CommandResult,
    IssuedToken,
    PersonResult,
    WebhookRegistration,
    WebhookResult,
)
from domain.webhook import Resolver, resolve

R = TypeVar("R")


class Shorthands:
    def handle(self, actor_id: str, command: Command[R], idempotency_key: str | None = None) -> R:
        raise NotImplementedError  # IntroductionsApp's

    # --- people and introductions ----------------------------------------------

    def register_person(
        self,
        actor_id: str,
        display_name: str,
        organization: str | None = None,
        offers: Sequence[str] | None = None,
        needs: Sequence[str] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> PersonResult:
        command = RegisterPerson(display_name, organization, offers, needs)
        return self.handle(actor_id, command, idempotency_key)

    def update_profile(
        self,
        actor_id: str,
        person_id: str | None = None,
        display_name: str | None = None,
        organization: str | None = None,
        offers: Sequence[str] | None = None,
        needs: Sequence[str] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> PersonResult:
        command = UpdateProfile(person_id, display_name, organization, offers, needs)
        return self.handle(actor_id, command, idempotency_key)

    def propose(
        self,
        actor_id: str,
        requester_id: str,
        target_id: str,
        context: str,
        guidelines: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        command = Propose(requester_id, target_id, context, guidelines)
        return self.handle(actor_id, command, idempotency_key)

    def consent(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        command = Consent(introduction_id, expected_version=expected_version)
        return self.handle(actor_id, command, idempotency_key)

    def decline(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        reason: str | None = None,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        command = Decline(introduction_id, reason, expected_version=expected_version)
        return self.handle(actor_id, command, idempotency_key)

    def record_reply(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        message: str | None = None,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        command = RecordReply(introduction_id, message, expected_version=expected_version)
        return self.handle(actor_id, command, idempotency_key)

    def record_relationship_formed(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        note: str | None = None,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        command = RecordRelationshipFormed(introduction_id, note, expected_version=expected_version)
        return self.handle(actor_id, command, idempotency_key)

    def burn(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        blamed_person_id: str,
        reason: str,
        cause: str = BurnCause.UNKNOWN.value,
        note: str | None = None,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        command = Burn(
            introduction_id,
            blamed_person_id,
            reason,
            cause,
            note,
            expected_version=expected_version,
        )
        return self.handle(actor_id, command, idempotency_key)

    def expire(
        self, introduction_id: str | UUID, expected_version: int | None = None
    ) -> CommandResult:
        """Expires one stale CONSENTED introduction; the actor is the system."""
        return self.handle(ADMIN, Expire(introduction_id, expected_version=expected_version))

    # --- tokens ------------------------------------------------------------------

    def issue_access_token(
        self,
        actor_id: str,
        person_id: str,
        expires_at: datetime | None = None,
        expires_in_seconds: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> IssuedToken:
        command = IssueToken(person_id, expires_at, expires_in_seconds)
        return self.handle(actor_id, command, idempotency_key)

    def issue_token(
        self, actor_id: str, person_id: str, expires_at: datetime | None = None
    ) -> tuple[str, int]:
        issued = self.handle(actor_id, IssueToken(person_id, expires_at))
        assert issued.token is not None  # without an idempotency key, always
        return issued.token, issued.position

    def revoke_token(
        self,
        actor_id: str,
        token_id: str,
        reason: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> int:
        return self.handle(actor_id, RevokeToken(token_id, reason), idempotency_key)

    # --- webhooks ----------------------------------------------------------------

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
        command = RegisterWebhook(url, event_types, description, resolver)
        return self.handle(actor_id, command, idempotency_key)

    def deactivate_webhook(
        self,
        actor_id: str,
        webhook_id: str | UUID,
        reason: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> WebhookResult:
        return self.handle(actor_id, DeactivateWebhook(webhook_id, reason), idempotency_key)

    def deactivate_gone_webhook(self, webhook_id: str | UUID, reason: str) -> WebhookResult:
        """The dispatcher's own deactivation (410 Gone); the actor is the system."""
        return self.handle(ADMIN, DeactivateGoneWebhook(webhook_id, reason))

    def reactivate_webhook(
        self, actor_id: str, webhook_id: str | UUID, *, idempotency_key: str | None = None
    ) -> WebhookResult:
        return self.handle(actor_id, ReactivateWebhook(webhook_id), idempotency_key)

    def rotate_webhook_secret(
        self, actor_id: str, webhook_id: str | UUID, *, idempotency_key: str | None = None
    ) -> WebhookRegistration:
        return self.handle(actor_id, RotateWebhookSecret(webhook_id), idempotency_key)
