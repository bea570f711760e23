"""What a caller may ask of the application, one frozen dataclass a command.
`IntroductionsApp.handle(actor_id, command)` runs any of them and answers the result type
that parameterises its `Command[...]`; `HANDLERS` in domain/application.py says which
aggregate method serves each.

An idempotency key remembers a digest of a command's `operation` and `key_arguments()`:
both stay as they are, or a retry would no longer match the key's first use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import ClassVar, Generic, TypeVar
from uuid import UUID

from domain.introduction import BurnCause
from domain.results import (
    CommandResult,
    IssuedToken,
    PersonResult,
    WebhookRegistration,
    WebhookResult,
)
from domain.use_case_base import canonical_id
from domain.webhook import Resolver, resolve

R_co = TypeVar("R_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Command(Generic[R_co]):
    operation: ClassVar[str]

    def key_arguments(self) -> list[object]:
        raise NotImplementedError


# --- people and tokens ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterPerson(Command[PersonResult]):
    operation = "registerPerson"
    display_name: str
    organization: str | None = None
    offers: Sequence[str] | None = None
    needs: Sequence[str] | None = None

    def key_arguments(self) -> list[object]:
        return [self.display_name, self.organization, _listed(self.offers), _listed(self.needs)]


@dataclass(frozen=True, slots=True)
class UpdateProfile(Command[PersonResult]):
    """None leaves a field as it is; `person_id` None is the caller themself."""

    operation = "updateMyProfile"
    person_id: str | None = None
    display_name: str | None = None
    organization: str | None = None
    offers: Sequence[str] | None = None
    needs: Sequence[str] | None = None

    def key_arguments(self) -> list[object]:
        return [
            self.person_id,
            self.display_name,
            self.organization,
            _listed(self.offers),
            _listed(self.needs),
        ]


@dataclass(frozen=True, slots=True)
class IssueToken(Command[IssuedToken]):
    """Expires at `expires_at`, or `expires_in_seconds` from now (at most one), or never."""

    operation = "issueToken"
    person_id: str
    expires_at: datetime | None = None
    expires_in_seconds: int | None = None

    def key_arguments(self) -> list[object]:
        return [canonical_id(self.person_id), self.expires_at, self.expires_in_seconds]


@dataclass(frozen=True, slots=True)
class RevokeToken(Command[int]):
    operation = "revokeToken"
    token_id: str
    reason: str | None = None

    def key_arguments(self) -> list[object]:
        return [canonical_id(self.token_id), self.reason]


# --- introductions ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Propose(Command[CommandResult]):
    operation = "proposeIntroduction"
    requester_id: str
    target_id: str
    context: str
    guidelines: str | None = None

    def key_arguments(self) -> list[object]:
        requester, target = canonical_id(self.requester_id), canonical_id(self.target_id)
        return [requester, target, self.context, self.guidelines]


@dataclass(frozen=True, slots=True)
class IntroductionChange(Command[CommandResult]):
    """A command on an existing introduction. With `expected_version`, it is refused
    (CONCURRENCY_CONFLICT) unless the introduction is still at that version."""

    introduction_id: str | UUID
    expected_version: int | None = field(default=None, kw_only=True)

    def key_arguments(self) -> list[object]:
        # then a subclass's own fields, in the order it declares them
        own = [getattr(self, f.name) for f in fields(self)[2:]]
        return [canonical_id(self.introduction_id), self.expected_version, *own]


@dataclass(frozen=True, slots=True)
class Consent(IntroductionChange):
    operation = "consentToIntroduction"


@dataclass(frozen=True, slots=True)
class Decline(IntroductionChange):
    operation = "declineIntroduction"
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RecordReply(IntroductionChange):
    operation = "recordReply"
    message: str | None = None


@dataclass(frozen=True, slots=True)
class RecordRelationshipFormed(IntroductionChange):
    operation = "recordRelationshipFormed"
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Burn(IntroductionChange):
    operation = "burnIntroduction"
    blamed_person_id: str
    reason: str
    cause: str = BurnCause.UNKNOWN.value
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Expire(IntroductionChange):
    """The system's: expires a CONSENTED introduction nobody replied to in time."""

    operation = "expireIntroduction"


# --- webhooks (the admin's) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterWebhook(Command[WebhookRegistration]):
    """Receives the delivered events (domain/delivered.py) of `event_types` (all when
    none) recorded after its registration. `resolver` looks up the URL's host (tests
    give their own)."""

    operation = "registerWebhook"
    url: str
    event_types: Sequence[str] | None = None
    description: str | None = None
    resolver: Resolver = field(default=resolve, compare=False, repr=False)

    def key_arguments(self) -> list[object]:
        return [self.url, _listed(self.event_types), self.description]


@dataclass(frozen=True, slots=True)
class WebhookChange(Command[WebhookResult]):
    webhook_id: str | UUID

    def key_arguments(self) -> list[object]:
        return [canonical_id(self.webhook_id)]


@dataclass(frozen=True, slots=True)
class DeactivateWebhook(WebhookChange):
    operation = "deactivateWebhook"
    reason: str | None = None

    def key_arguments(self) -> list[object]:
        return [*WebhookChange.key_arguments(self), self.reason]


@dataclass(frozen=True, slots=True)
class ReactivateWebhook(WebhookChange):
    operation = "reactivateWebhook"


@dataclass(frozen=True, slots=True)
class DeactivateGoneWebhook(WebhookChange):
    """The dispatcher's, when the endpoint answered 410 Gone; the actor is the system."""

    operation = "deactivateGoneWebhook"
    reason: str


@dataclass(frozen=True, slots=True)
class RotateWebhookSecret(Command[WebhookRegistration]):
    """A new secret, shown once; the old one still signs for 24 hours."""

    operation = "rotateWebhookSecret"
    webhook_id: str | UUID

    def key_arguments(self) -> list[object]:
        return [canonical_id(self.webhook_id)]


def _listed(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else list(values)
