"""Person tokens, kept durably in the event store and only as hashes.

A token is 256 random bits shown once. Its aggregate's id is derived from the token's
SHA-256, so authenticating is a single get by id (no scan), and the store never holds
anything from which the token could be recovered. That id is also the token's public
id: knowing it does not let anyone authenticate, so it can be shown and used to revoke.

A token may expire (at a time fixed when it is issued) and may be revoked, once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.chain import ChainedAggregate
from domain.errors import InvalidTransition

ACCESS_TOKEN_NAMESPACE = UUID("3c6a1f0e-7d2b-5e4f-8a9c-1b2d3e4f5a6b")
TOKEN_PREFIX = "itk_"  # noqa: S105 - makes a leaked token recognisable to secret scanners
TOKEN_BYTES = 32  # 256 bits
REASON_MAX = 500


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def access_token_id(digest: str) -> UUID:
    return uuid5(ACCESS_TOKEN_NAMESPACE, digest)


class AccessToken(ChainedAggregate):
    class TokenIssued(ChainedAggregate.Created):
        class_version = 2
        person_id: str
        token_hash: str
        expires_at: datetime | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["expires_at"] = None  # tokens issued before expiry existed never expire

    class TokenRevoked(ChainedAggregate.Event):
        class_version = 1
        reason: str | None

    @event(TokenIssued)
    def __init__(
        self,
        id: UUID,
        person_id: str,
        token_hash: str,
        expires_at: datetime | None,
        actor_id: str | None,
        timestamp: datetime,
    ) -> None:
        self.person_id = person_id
        self.token_hash = token_hash
        self.expires_at = expires_at
        self.revoked = False

    def matches(self, digest: str) -> bool:
        # The id already matched; comparing the stored hash in constant time as well
        # guards against a uuid5 collision and leaks nothing through timing.
        return hmac.compare_digest(self.token_hash, digest)

    def valid_at(self, now: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or now < self.expires_at)

    def revoke(self, reason: str | None, actor_id: str, at: datetime) -> None:
        if self.revoked:
            msg = "This token is already revoked."
            raise InvalidTransition(msg)
        self._revoked(reason=reason, actor_id=actor_id, timestamp=at)

    @event(TokenRevoked)
    def _revoked(self, reason: str | None, actor_id: str | None, timestamp: datetime) -> None:
        self.revoked = True
