"""What every group of use cases shares: the clock, saving with conflicts as a domain
error, and loading an aggregate of an expected type by an id that may be malformed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import RecordConflictError

from domain.chain import ChainedAggregate
from domain.errors import BadInput, ConcurrencyConflict, Forbidden
from domain.introduction import ADMIN
from domain.person import Person

Clock = Callable[[], datetime]
MAX_ATTEMPTS = 5
RETRY_PAUSE_SECONDS = 0.01

A = TypeVar("A", bound=ChainedAggregate)


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
        try:
            recordings = self.save(*aggregates)
        except RecordConflictError:
            msg = "Someone else changed this at the same moment; read it again and retry."
            raise ConcurrencyConflict(msg) from None
        return recordings[-1].notification.id

    def _get(self, cls: type[A], raw_id: str | UUID, field: str) -> A | None:
        aggregate_id = parse_id(raw_id, field)
        try:
            aggregate: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def _known_person(self, person_id: str, field: str) -> Person:
        person = self._cached_person(person_id, field) or self._get(Person, person_id, field)
        if person is None:
            msg = f"No person has the id {person_id}: register them first."
            raise BadInput(msg, field=field)
        return person

    def _cached_person(self, raw_id: str, field: str) -> Person | None:
        """A person in the aggregate cache, as it is now without asking the database: a
        person never changes after registering (Person has one event; a test keeps it
        so). Read only: the cache's own copy, not a copy for a command."""
        cache = self.repository.cache
        if cache is None:
            return None
        try:
            found = cache.get(parse_id(raw_id, field))
        except KeyError:
            return None
        return found if isinstance(found, Person) else None
