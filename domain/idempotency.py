"""Idempotency keys: a client names a command with a key so that repeating it (after a
timeout, say) answers the first result instead of writing again.

One aggregate per (actor, key), its id derived from both, so that a retry finds it with
one get by id and two actors never share a key. It is saved in the same save() as the
command's own aggregates: the key exists exactly when the write does, and of two racing
uses of a key only one can record it (the other meets a version conflict).

It stores a digest of the command's arguments, never the arguments (nor the key), and
a reference to the result (an aggregate id and version) from which the result is
rebuilt. A key lives 24 hours; after that, a new use records itself on the same
aggregate and starts a new life."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.chain import ChainedAggregate, canonical_json
from domain.errors import BadInput

IDEMPOTENCY_NAMESPACE = UUID("5d0e7a41-9c3b-5f2a-8e61-4b7c2d9f0a13")
KEY_MAX = 200
KEY_LIFETIME = timedelta(hours=24)
FIELD = "idempotencyKey"


def validate_key(key: str) -> str:
    if not isinstance(key, str) or not 1 <= len(key) <= KEY_MAX:
        msg = f"{FIELD} must be 1 to {KEY_MAX} characters, such as a UUID."
        raise BadInput(msg, field=FIELD)
    if not key.isprintable() or key.strip() != key:
        msg = (
            f"{FIELD} must be printable characters without leading or trailing spaces, "
            "such as a UUID."
        )
        raise BadInput(msg, field=FIELD)
    return key


def idempotency_key_id(actor_id: str, key: str) -> UUID:
    return uuid5(IDEMPOTENCY_NAMESPACE, canonical_json([actor_id, key]))


def arguments_digest(operation: str, arguments: object) -> str:
    """What makes a use of a key the same command: the operation and its arguments."""
    return hashlib.sha256(canonical_json([operation, arguments]).encode("utf-8")).hexdigest()


class KeyUse(TypedDict):
    """A use of a key, as both of its events record it."""

    arguments_digest: str
    result_id: UUID
    result_version: int
    actor_id: str | None
    timestamp: datetime


class IdempotencyKey(ChainedAggregate):
    class Use(ChainedAggregate.Event):
        """What a use of the key records, in both of its events, and applies alike."""

        arguments_digest: str
        result_id: UUID
        result_version: int

        def apply(self, aggregate: Any) -> None:
            aggregate._remember(
                self.arguments_digest, self.result_id, self.result_version, self.timestamp
            )

    class KeyUsed(Use, ChainedAggregate.Created):
        class_version = 1

    class KeyUsedAgain(Use):
        """A use after the previous one expired: the key starts a new life."""

        class_version = 1

    @event(KeyUsed)
    def __init__(
        self,
        id: UUID,
        arguments_digest: str,
        result_id: UUID,
        result_version: int,
        actor_id: str | None,
        timestamp: datetime,
    ) -> None:
        """The first use: `Use.apply` sets the state, as it does for a renewal."""

    def use_again(self, **use: Unpack[KeyUse]) -> None:
        self.trigger_event(self.KeyUsedAgain, **use)

    def _remember(
        self, digest: str, result_id: UUID, result_version: int, used_at: datetime
    ) -> None:
        self.arguments_digest = digest
        self.result_id = result_id
        self.result_version = result_version
        self.used_at = used_at

    def live_at(self, now: datetime) -> bool:
        return now < self.used_at + KEY_LIFETIME

    def check_same_command(self, digest: str) -> None:
        if digest != self.arguments_digest:
            msg = (
                f"This {FIELD} was already used within 24 hours for a different command or "
                "different arguments; use a new key for a new command."
            )
            raise BadInput(msg, field=FIELD)
