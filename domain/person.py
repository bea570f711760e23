"""A person in the network: registered with talents (offers) and needs, and free to
update that profile later (each update an event of its own)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain import bounds
from domain.chain import ChainedAggregate
from domain.errors import BadInput


class Person(ChainedAggregate):
    class PersonRegistered(ChainedAggregate.Created):
        class_version = 1
        display_name: str
        organization: str | None
        offers: list[str]
        needs: list[str]

    class PersonProfileUpdated(ChainedAggregate.Event):
        # The whole profile after the update: history shows what it became.
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
        self._set_profile(display_name, organization, offers, needs)

    def _set_profile(
        self, display_name: str, organization: str | None, offers: list[str], needs: list[str]
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
            display_name=_display_name(display_name),
            organization=_organization(organization),
            offers=_tags(offers, "offers"),
            needs=_tags(needs, "needs"),
            actor_id=actor_id,
            timestamp=at,
        )

    def update_profile(
        self,
        *,
        display_name: str | None,
        organization: str | None,
        offers: list[str] | None,
        needs: list[str] | None,
        actor_id: str,
        at: datetime,
    ) -> bool:
        """Applies the fields given (None leaves one as it is; an empty organization
        removes it). False, and no event, when nothing would change."""
        if display_name is None and organization is None and offers is None and needs is None:
            msg = "Give at least one of displayName, organization, offers and needs."
            raise BadInput(msg)
        name = self.display_name if display_name is None else _display_name(display_name)
        org = self.organization
        if organization is not None:
            org = (_organization(organization) or "").strip() or None
        new_offers = self.offers if offers is None else _tags(offers, "offers")
        new_needs = self.needs if needs is None else _tags(needs, "needs")
        if (name, org, new_offers, new_needs) == self.profile:
            return False
        self._profile_updated(
            display_name=name,
            organization=org,
            offers=list(new_offers),
            needs=list(new_needs),
            actor_id=actor_id,
            timestamp=at,
        )
        return True

    @property
    def profile(self) -> tuple[str, str | None, list[str], list[str]]:
        return (self.display_name, self.organization, self.offers, self.needs)

    @event(PersonProfileUpdated)
    def _profile_updated(
        self,
        display_name: str,
        organization: str | None,
        offers: list[str],
        needs: list[str],
        actor_id: str,
        timestamp: datetime,
    ) -> None:
        self._set_profile(display_name, organization, offers, needs)


def _display_name(value: object) -> str:
    name = bounds.required_text(value, "displayName", bounds.DISPLAY_NAME_MAX)
    return bounds.one_line(name, "displayName").strip()


def _organization(value: object) -> str | None:
    organization = bounds.optional_text(value, "organization", bounds.ORGANIZATION_MAX)
    return None if organization is None else bounds.one_line(organization, "organization")


def _tags(values: Iterable[str] | None, field: str) -> list[str]:
    return [bounds.one_line(tag, field) for tag in bounds.tags(values, field)]
