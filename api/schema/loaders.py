"""Per-request DataLoaders: every person (or introduction) asked for while resolving
one request is loaded in one batch, so a page of 100 introductions costs a constant
number of storage round trips, not one per person."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from api.schema.types import Introduction, Person, introduction_from, person_from
from api.services import in_thread

if TYPE_CHECKING:
    from api.services import Services


class Loaders:
    def __init__(self, services: Services, actor: Callable[[], str | None]) -> None:
        self._services = services
        self._actor = actor

    @cached_property
    def persons(self) -> DataLoader[str, Person | None]:
        return DataLoader(self._load_persons)

    @cached_property
    def introductions(self) -> DataLoader[str, Introduction | None]:
        return DataLoader(self._load_introductions)

    @cached_property
    def track_records(self) -> DataLoader[str, Any]:
        return DataLoader(self._load_track_records)

    async def person(self, person_id: str) -> Person | None:
        return await self.persons.load(person_id)

    async def _load_persons(self, ids: list[str]) -> list[Person | None]:
        # Profiles change, possibly in another process: every request reads them as they
        # are now (one batched read of the events since the held copies).
        return await in_thread(read_persons, self._services, ids)

    def prime_persons(self, ids: list[str], persons: list[Person | None]) -> None:
        """Persons a resolver read (read_persons) in the thread of its own read, so that
        their fields cost no second trip to a thread."""
        self.persons.prime_many(dict(zip(ids, persons, strict=True)))

    async def _load_track_records(self, ids: list[str]) -> list[Any]:
        # The read models have no batched read: one thread hop for the whole batch.
        views = self._services.read_models
        return await in_thread(lambda: [views.track_record(i) for i in ids])

    async def _load_introductions(self, ids: list[str]) -> list[Introduction | None]:
        actor = self._actor()
        if actor is None:
            return [None for _ in ids]
        return await in_thread(_read_introductions, self._services, ids, actor)


# Blocking, for a reading thread: a sealed field opens with its key, which the keyring
# reads from storage when its copy is older than a second, so the fields are opened here,
# never on the event loop.
def read_persons(services: Services, ids: list[str]) -> list[Person | None]:
    found = services.app.get_persons_batched(ids)
    return [person_from(found[i]) if i in found else None for i in ids]


def _read_introductions(
    services: Services, ids: list[str], actor: str
) -> list[Introduction | None]:
    found = services.app.get_introductions_batched(ids, actor)
    return [introduction_from(found[i]) if i in found else None for i in ids]
