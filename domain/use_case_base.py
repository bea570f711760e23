"""What every group of use cases shares: the clock, saving with conflicts as a domain
error (and with the command's idempotency key, when it has one), and loading an aggregate
of an expected type by an id that may be malformed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import RecordConflictError

from domain.chain import ChainedAggregate
from domain.errors import BadInput, ConcurrencyConflict, DomainError, Forbidden
from domain.idempotency import (
    FIELD,
    IdempotencyKey,
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


@dataclass
class _Claim:
    """A command running under an idempotency key that it has yet to record."""

    key_id: UUID
    seen: IdempotencyKey | None  # an expired earlier use, to record a new one on
    digest: str
    actor_id: str
    recorded: bool = False

    def record(self, result_id: UUID, result_version: int, at: datetime) -> IdempotencyKey:
        if self.seen is None:
            return IdempotencyKey(
                id=self.key_id,
                arguments_digest=self.digest,
                result_id=result_id,
                result_version=result_version,
                actor_id=self.actor_id,
                timestamp=at,
            )
        # A copy: a save that fails must leave the next attempt a clean aggregate.
        key = copy.deepcopy(self.seen)
        key.use_again(self.digest, result_id, result_version, self.actor_id, at)
        return key

    @property
    def seen_version(self) -> int:
        return 0 if self.seen is None else self.seen.version


_claim: ContextVar[_Claim | None] = ContextVar("idempotency_claim", default=None)


class KeyTaken(Exception):
    """A concurrent use of the same key recorded itself first. Not a DomainError, so
    that the commands' own retry loops let it through to `_once`."""


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

    def _save(self, *aggregates: ChainedAggregate) -> int:
        """Saves atomically; the first aggregate is the command's result, which the
        command's idempotency key (if any) records in the same save."""
        claim = _claim.get()
        if claim is not None and not claim.recorded:
            result = aggregates[0]
            aggregates = (*aggregates, claim.record(result.id, result.version, result.modified_on))
        try:
            recordings = self.save(*aggregates)
        except RecordConflictError:
            if claim is not None and self._key_taken(claim):
                raise KeyTaken from None
            msg = "Someone else changed this at the same moment; read it again and retry."
            raise ConcurrencyConflict(msg) from None
        if claim is not None:
            claim.recorded = True
        return recordings[-1].notification.id

    def _once(
        self,
        actor_id: str,
        key: str | None,
        operation: str,
        arguments: object,
        command: Callable[[], R],
        rebuild: Rebuild[R],
    ) -> R:
        """Runs the command, or, when this actor used `key` for the same command and
        arguments within 24 hours, rebuilds that first result and writes nothing.
        Without a key this costs nothing; with one, one read by id."""
        if key is None:
            return command()
        key_id = idempotency_key_id(actor_id, validate_key(key))
        digest = arguments_digest(operation, arguments)
        earlier = self._get(IdempotencyKey, key_id, FIELD)
        if earlier is not None and earlier.live_at(self._now()):
            earlier.check_same_command(digest)
            return rebuild(earlier.result_id, earlier.result_version)
        claim = _Claim(key_id, earlier, digest, actor_id)
        reset = _claim.set(claim)
        try:
            return command()
        except (DomainError, KeyTaken):
            # A concurrent retry may have won (and this one then met a conflict, or a
            # state the winner changed): answer what the winner recorded.
            winner = self._get(IdempotencyKey, key_id, FIELD)
            if winner is None or winner.version <= claim.seen_version:
                raise
            winner.check_same_command(digest)
            return rebuild(winner.result_id, winner.result_version)
        finally:
            _claim.reset(reset)

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
        """`_once` for a write outside the event log (webhook deliveries), which cannot
        share the key's transaction: the key is saved right after the write. A crash
        between them leaves the write without its key, and a retry writes again; so
        only for writes whose repetition does no harm (rescheduling the same
        deliveries, with their original ids). `reference` names the result by an id
        and a number that `rebuild` reads back."""

        def write_then_remember() -> R:
            result = command()
            claim = _claim.get()
            if claim is None:  # no key
                return result
            try:
                self.save(claim.record(*reference(result), self._now()))
            except RecordConflictError:
                raise KeyTaken from None
            return result

        return self._once(actor_id, key, operation, arguments, write_then_remember, rebuild)

    def _key_taken(self, claim: _Claim) -> bool:
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

    def _known_person(self, person_id: str, field: str) -> Person:
        # Through the repository's fast-forward cache: the person as they are now, with
        # any profile update since it was cached (by any process), in one read.
        person = self._get(Person, person_id, field)
        if person is None:
            msg = f"No person has the id {person_id}: register them first."
            raise BadInput(msg, field=field)
        return person
