"""A person in the network: registered once, with talents (offers) and needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain import bounds
from domain.chain import ChainedAggregate


class Person(ChainedAggregate):
    class PersonRegistered(ChainedAggregate.Created):
        class_version = 1
        display_name: str
        organization: str | None
        offers: list[str]
        needs: list[str]

    @event(PersonRegistered)
    def __init__(
        self,
        id: UUID,
        display_name: str,
        organization: str | None,
        offers: list[str],
        needs: list[str],
        actor_id: str | None,
        timestamp: datetime,
    ) -> None:
        self.display_name = display_name
        self.organization = organization
        self.offers = list(offers)
        self.needs = list(needs)

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        display_name: str,
        organization: str | None,
        offers: Sequence[str] | None,
        needs: Sequence[str] | None,
        actor_id: str | None,
        at: datetime,
    ) -> Person:
        return cls(
            id=id,
            display_name=bounds.required_text(
                display_name, "displayName", bounds.DISPLAY_NAME_MAX
            ).strip(),
            organization=bounds.optional_text(
                organization, "organization", bounds.ORGANIZATION_MAX
            ),
            offers=bounds.tags(offers, "offers"),
            needs=bounds.tags(needs, "needs"),
            actor_id=actor_id,
            timestamp=at,
        )
