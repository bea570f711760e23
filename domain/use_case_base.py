"""What every group of use cases shares: the clock, saving with conflicts as a domain
error (and with the command's idempotency key, when it has one), and loading an aggregate
of an expected type by an id that may be malformed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import RecordConflictError

from domain.chain import ChainedAggregate
from domain.errors import BadInput, ConcurrencyConflict, DomainError, Forbidden, NotFound
from domain.idempotency import (
    FIELD,
    IdempotencyKey,
    KeyUse,
    arguments_digest,
    idempotency_key_id,
    validate_key,
)
from domain.introduction import ADMIN
from domain.person import Person

Clock = Callable[[], datetime]
MAX_ATTEMPTS = 5
RETRY_PAUSE_SECONDS = 0.01

A = TypeVar("A", bound=ChainedAggregate)
R = TypeVar("R")
# The result of a command, from the id and version of the aggregate it wrote first.
Rebuild = Callable[[UUID, int], R]


@dataclass(frozen=True, slots=True)
class Decision(Generic[R]):
    """What a command decided, to be saved: its aggregates (the first is its result's,
    which its idempotency key records) and its answer once saved at a log position."""

    aggregates: tuple[ChainedAggregate, ...]
    answer: Callable[[int], R]


@dataclass(frozen=True, slots=True)
class Claim:
    """An idempotency key that a command under way is to record in its own save."""

    key_id: UUID
    seen: IdempotencyKey | None  # its last use, to answer again or, expired, to renew
    digest: str
    actor_id: str

    def record(self, result_id: UUID, result_version: int, at: datetime) -> IdempotencyKey:
        use: KeyUse = {
            "arguments_digest": self.digest,
            "result_id": result_id,
            "result_version": result_version,
            "actor_id": self.actor_id,
            "timestamp": at,
        }
        if self.seen is None:
            return IdempotencyKey(id=self.key_id, **use)
        # A copy: a save that fails must leave the next attempt a clean aggregate.
        key = copy.deepcopy(self.seen)
        key.use_again(**use)
        return key

    @property
    def seen_version(self) -> int:
        return 0 if self.seen is None else self.seen.version


class KeyTaken(Exception):
    """A concurrent use of the same key recorded itself first. Not a DomainError, so
    that retrying after a conflict lets it through to the key's own handling."""


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


def parse_id(raw_id: str | UUID, field: str) -> UUID:
    if isinstance(raw_id, UUID):
        return raw_id
    try:
        return UUID(str(raw_id))
    except ValueError:
        msg = f"{field} {raw_id!r} is not a valid id (a UUID such as 3f2b…)."
        raise BadInput(msg, field=field) from None


def canonical_id(raw_id: str | UUID) -> str:
    """The id as one spelling (for comparing arguments); a malformed id as given, for
    the command itself to refuse in its turn."""
    try:
        return str(raw_id if isinstance(raw_id, UUID) else UUID(str(raw_id)))
    except ValueError:
        return str(raw_id)


def busy() -> ConcurrencyConflict:
    msg = "This is changing too fast to apply your command; retry in a moment."
    return ConcurrencyConflict(msg)


def require_admin(actor_id: str | None, action: str) -> None:
    if actor_id != ADMIN:
        msg = f"Only the admin may {action}."
        raise Forbidden(msg)


class UseCaseBase(Application[UUID]):
    clock: Clock = staticmethod(utc_now)

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            msg = "the clock must return an aware datetime"
            raise ValueError(msg)
        return now.astimezone(UTC)

    def _save(self, *aggregates: ChainedAggregate, claim: Claim | None = None) -> int:
        """Saves atomically; with a claim, its key records the first aggregate (the
        command's result) in the same save."""
        if claim is not None:
            result = aggregates[0]
            aggregates = (*aggregates, claim.record(result.id, result.version, result.modified_on))
        try:
            recordings = self.save(*aggregates)
        except RecordConflictError:
            if claim is not None and self._key_taken(claim):
                raise KeyTaken from None
            msg = "Someone else changed this at the same moment; read it again and retry."
            raise ConcurrencyConflict(msg) from None
        return recordings[-1].notification.id

    def _claim(self, actor_id: str, key: str, operation: str, arguments: object) -> Claim:
        """The key as this command's: one read by id."""
        key_id = idempotency_key_id(actor_id, validate_key(key))
        digest = arguments_digest(operation, arguments)
        return Claim(key_id, self._get(IdempotencyKey, key_id, FIELD), digest, actor_id)

    def _answered(self, claim: Claim) -> tuple[UUID, int] | None:
        """The result (id, version) of this actor's use of the key for the same command
        within 24 hours, which answers again; None when there was none."""
        seen = claim.seen
        if seen is None or not seen.live_at(self._now()):
            return None
        seen.check_same_command(claim.digest)
        return seen.result_id, seen.result_version

    def _answered_by_winner(self, claim: Claim | None) -> tuple[UUID, int] | None:
        """After a command failed: the result a concurrent use of its key recorded (it
        won, and this one then met a conflict, or a state the winner changed)."""
        if claim is None:
            return None
        winner = self._get(IdempotencyKey, claim.key_id, FIELD)
        if winner is None or winner.version <= claim.seen_version:
            return None
        winner.check_same_command(claim.digest)
        return winner.result_id, winner.result_version

    def once_outside_log(
        self,
        actor_id: str,
        key: str | None,
        operation: str,
        arguments: object,
        command: Callable[[], R],
        reference: Callable[[R], tuple[UUID, int]],
        rebuild: Rebuild[R],
    ) -> R:
        """Runs a write outside the event log (webhook deliveries) under an idempotency
        key, which cannot share its transaction: the key is saved right after the write.
        A crash between them leaves the write without its key, and a retry writes again;
        so only for writes whose repetition does no harm (rescheduling the same
        deliveries, with their original ids). `reference` names the result by an id
        and a number that `rebuild` reads back."""
        if key is None:
            return command()
        claim = self._claim(actor_id, key, operation, arguments)
        if (answered := self._answered(claim)) is not None:
            return rebuild(*answered)
        try:
            result = command()
            try:
                self.save(claim.record(*reference(result), self._now()))
            except RecordConflictError:
                raise KeyTaken from None
        except (DomainError, KeyTaken):
            if (answered := self._answered_by_winner(claim)) is None:
                raise
            return rebuild(*answered)
        return result

    def _key_taken(self, claim: Claim) -> bool:
        key = self._get(IdempotencyKey, claim.key_id, FIELD)
        return key is not None and key.version > claim.seen_version

    def _position_now(self) -> int:
        """A log position at or after every write so far: a rebuilt result's position,
        for read models to wait for (its own position is not kept)."""
        return self.recorder.max_notification_id() or 0

    def _get(self, cls: type[A], raw_id: str | UUID, field: str) -> A | None:
        aggregate_id = parse_id(raw_id, field)
        try:
            aggregate: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def _existing(
        self, cls: type[A], raw_id: str | UUID, field: str, noun: str, error_field: str | None
    ) -> A:
        """The aggregate, or NotFound: "No `noun` has the id …" (on `error_field`)."""
        found = self._get(cls, raw_id, field)
        if found is None:
            msg = f"No {noun} has the id {raw_id}."
            raise NotFound(msg, field=error_field)
        return found

    def _known_person(self, person_id: str, field: str) -> Person:
        # Through the repository's fast-forward cache: the person as they are now, with
        # any profile update since it was cached (by any process), in one read.
        person = self._get(Person, person_id, field)
        if person is None:
            msg = f"No person has the id {person_id}: register them first."
            raise BadInput(msg, field=field)
        if person.forgotten:
            msg = f"The person {person_id} was forgotten at their request: leave them out."
            raise BadInput(msg, field=field)
        return person
