"""Use cases of access: the admin issues person tokens, optionally expiring; the admin,
or the token's own person, revokes one by its id; a token names its person while valid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.access import REASON_MAX, AccessToken, access_token_id, new_token, token_hash
from domain.commands import IssueToken, RevokeToken
from domain.errors import BadInput, NotFound
from domain.introduction import ADMIN
from domain.person import Person
from domain.results import IssuedToken
from domain.use_case_base import Decision, UseCaseBase

MAX_TOKEN_LIFETIME = timedelta(days=3660)  # ten years: past that, "never" says it better


@dataclass(frozen=True)
class Credential:
    """What a valid token stands for; `expires_at` lets a cache drop it on time."""

    person_id: str
    token_id: UUID
    expires_at: datetime | None


class TokenUseCases(UseCaseBase):
    def _issue(self, actor_id: str, c: IssueToken) -> Decision[IssuedToken]:
        """A new token, returned once; only its hash is stored. Repeated with the same
        idempotency key, the answer has the token's id and expiry but not the token
        (None), which is not kept anywhere."""
        person = self._known_person(c.person_id, "personId")
        now = self._now()
        expires_at = c.expires_at
        if c.expires_in_seconds is not None:
            if expires_at is not None:
                msg = "Give expiresAt or expiresInSeconds, not both."
                raise BadInput(msg, field="expiresInSeconds")
            if c.expires_in_seconds <= 0:
                msg = "expiresInSeconds must be a positive number of seconds."
                raise BadInput(msg, field="expiresInSeconds")
            if c.expires_in_seconds > MAX_TOKEN_LIFETIME.total_seconds():
                msg = "expiresInSeconds is more than ten years; leave it out for no expiry."
                raise BadInput(msg, field="expiresInSeconds")
            expires_at = now + timedelta(seconds=c.expires_in_seconds)
        if expires_at is not None:
            expires_at = self._checked_expiry(expires_at, now)
        token = new_token()
        digest = token_hash(token)
        access = AccessToken(
            id=access_token_id(digest),
            person_id=str(person.id),
            token_hash=digest,
            expires_at=expires_at,
            actor_id=actor_id,
            timestamp=now,
        )
        return Decision(
            (access,), lambda position: IssuedToken(token, access.id, expires_at, position)
        )

    def _admit_revoke(self, actor_id: str, c: RevokeToken) -> RevokeToken:
        if c.reason is not None and len(c.reason) > REASON_MAX:
            msg = f"The reason is longer than {REASON_MAX} characters."
            raise BadInput(msg, field="reason")
        return c

    def _revoke(self, actor_id: str, c: RevokeToken) -> Decision[int]:
        """The admin may revoke any token; a person only their own. To anyone else a
        token is NOT_FOUND, as an unknown id is: they learn nothing about it."""
        access = self._get(AccessToken, c.token_id, "id")
        if access is None or actor_id not in {ADMIN, access.person_id}:
            msg = f"No token has the id {c.token_id}."
            raise NotFound(msg, field="id")
        access.revoke(c.reason, actor_id, self._now())
        return Decision((access,), int)

    def _issued_before(self, token_id: UUID, version: int) -> IssuedToken:
        access: object = self.repository.get(token_id, version=version)
        assert isinstance(access, AccessToken)
        return IssuedToken(None, access.id, access.expires_at, self._position_now())

    def _revoked_before(self, _token_id: UUID, _version: int) -> int:
        return self._position_now()

    def credential(self, token: str) -> Credential | None:
        """What a token stands for, or None when unknown, expired or revoked: one get by
        id, no scan."""
        digest = token_hash(token)
        access = self._get(AccessToken, access_token_id(digest), "token")
        if access is None or not access.matches(digest) or not access.valid_at(self._now()):
            return None
        person = self._get(Person, access.person_id, "token")
        if person is None or person.forgotten:  # a forgotten person's tokens stop at once
            return None
        return Credential(access.person_id, access.id, access.expires_at)

    def authenticate(self, token: str) -> str | None:
        """The person id a valid token was issued to, or None."""
        credential = self.credential(token)
        return None if credential is None else credential.person_id

    def _checked_expiry(self, expires_at: datetime, now: datetime) -> datetime:
        if expires_at.tzinfo is None:
            msg = "expiresAt needs a time zone, as in 2026-12-31T23:59:00Z."
            raise BadInput(msg, field="expiresAt")
        if expires_at <= now:
            msg = "expiresAt must be in the future."
            raise BadInput(msg, field="expiresAt")
        if expires_at - now > MAX_TOKEN_LIFETIME:
            msg = "expiresAt is more than ten years away; leave it out for a token without expiry."
            raise BadInput(msg, field="expiresAt")
        return expires_at.astimezone(now.tzinfo)
