"""The rows the dispatcher keeps: endpoints as it has followed them, and deliveries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

DELIVERY_ID_NAMESPACE = UUID("9a4e3b2c-1d0f-5e6a-8b7c-6d5e4f3a2b1c")


def utc(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


def delivery_id(webhook_id: str, event_id: str) -> str:
    """One delivery per endpoint and event, whoever records it and however often."""
    return str(uuid5(DELIVERY_ID_NAMESPACE, f"{webhook_id}/{event_id}"))


@dataclass
class EndpointRow:
    id: str
    url: str
    event_types: list[str]  # empty: every type
    active: bool
    secret: str
    old_secret: str | None
    old_secret_valid_until: float | None  # Unix seconds
    registered_position: int

    def wants(self, event_type: str) -> bool:
        return self.active and (not self.event_types or event_type in self.event_types)

    def signing_secrets(self, now: float) -> list[str]:
        if self.old_secret and self.old_secret_valid_until and now < self.old_secret_valid_until:
            return [self.secret, self.old_secret]
        return [self.secret]

    def as_params(self) -> tuple[object, ...]:
        return (
            self.id,
            self.url,
            json.dumps(self.event_types),
            int(self.active),
            self.secret,
            self.old_secret,
            self.old_secret_valid_until,
            self.registered_position,
        )

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> EndpointRow:
        return cls(
            id=row[0],
            url=row[1],
            event_types=json.loads(row[2]),
            active=bool(row[3]),
            secret=row[4],
            old_secret=row[5],
            old_secret_valid_until=row[6],
            registered_position=row[7],
        )


ENDPOINT_COLUMNS = (
    "id, url, event_types, active, secret, old_secret, old_secret_valid_until, registered_position"
)


@dataclass(frozen=True)
class NewDelivery:
    """What the follower records for one event and one endpoint."""

    id: str  # delivery_id(webhook_id, event_id)
    webhook_id: str
    event_id: str
    event_type: str
    position: int
    occurred_at: float
    body: str


@dataclass(frozen=True)
class Delivery(NewDelivery):
    """A delivery as the store keeps it: what was recorded, then its attempts."""

    status: DeliveryStatus
    attempts: int  # every attempt ever made
    round_attempts: int  # attempts since it was (re)scheduled: the retry schedule's index
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: float | None
    delivered_at: float | None
    created_at: float

    @property
    def next_attempt_time(self) -> datetime | None:
        """nextAttemptAt of the contract: set only while PENDING."""
        return utc(self.next_attempt_at) if self.status is DeliveryStatus.PENDING else None

    @property
    def delivered_time(self) -> datetime | None:
        return utc(self.delivered_at)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Delivery:
        values = list(row[:15])
        values[7] = DeliveryStatus(values[7])
        return cls(*values)


DELIVERY_COLUMNS = (
    "id, webhook_id, event_id, event_type, position, occurred_at, body, status, attempts, "
    "round_attempts, last_status_code, last_error, next_attempt_at, delivered_at, created_at"
)


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: str
    status: DeliveryStatus  # PENDING again when a retry is scheduled
    status_code: int | None
    error: str | None
    next_attempt_at: float | None
    at: float
