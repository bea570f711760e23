"""A person in the network: registered once, with talents (offers) and needs."""

from __future__ import annotations

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
        offers: list[str] | None,
        needs: list[str] | None,
        actor_id: str | None,
        at: datetime,
    ) -> Person:
        return cls(
            id=id,
            display_name=bounds.one_line(
                bounds.required_text(display_name, "displayName", bounds.DISPLAY_NAME_MAX),
                "displayName",
            ).strip(),
            organization=_one_line(
                bounds.optional_text(organization, "organization", bounds.ORGANIZATION_MAX),
                "organization",
            ),
            offers=[bounds.one_line(t, "offers") for t in bounds.tags(offers, "offers")],
            needs=[bounds.one_line(t, "needs") for t in bounds.tags(needs, "needs")],
            actor_id=actor_id,
            timestamp=at,
        )


def _one_line(value: str | None, field: str) -> str | None:
    return None if value is None else bounds.one_line(value, field)
