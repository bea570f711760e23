"""What commands answer. Each carries the log position of the write, which read models
can be asked to wait for (a repeated idempotency key answers a position at or after it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.introduction import Introduction
from domain.person import Person
from domain.webhook import WebhookEndpoint


@dataclass(frozen=True)
class CommandResult:
    introduction: Introduction
    position: int  # notification id of the last event written: wait for it to read it


@dataclass(frozen=True)
class PersonResult:
    person: Person
    position: int


@dataclass(frozen=True)
class IssuedToken:
    # Shown once, never stored: None when an idempotency key answers an earlier issue.
    token: str | None
    token_id: UUID
    expires_at: datetime | None
    position: int


@dataclass(frozen=True)
class WebhookResult:
    endpoint: WebhookEndpoint
    position: int


@dataclass(frozen=True)
class WebhookRegistration:
    endpoint: WebhookEndpoint
    secret: str  # shown once: on registration and on rotation
    position: int
