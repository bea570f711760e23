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
from domain.personal import FORGOTTEN_NAME, plain

PROFILE_FIELDS = ("display_name", "organization", "offers", "needs")


class Person(ChainedAggregate):
    class PersonRegistered(ChainedAggregate.Created):
        class_version = 1
        personal_fields = PROFILE_FIELDS  # sealed under the person's own key (domain.personal)
        display_name: str
        organization: str | None
        offers: list[str]
        needs: list[str]

        @staticmethod
        def key_holders(key_id: str, _fields: dict[str, object]) -> list[str]:
            return [key_id]

    class PersonProfileUpdated(ChainedAggregate.Event):
        # The whole profile after the update: history shows what it became.
        class_version = 1
        personal_fields = PROFILE_FIELDS
        display_name: str
        organization: str | None
        offers: list[str]
        needs: list[str]

    class PersonForgotten(ChainedAggregate.Event):
        # No personal data: its recording destroys every key the person holds
        # (storage/personal_keys.py), in the same transaction.
        class_version = 1

    forgotten: bool = False

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
        # Kept as stored (sealed); the properties open them, so an erased key erases them.
        self._display_name = display_name
        self._organization = organization
        self._offers = offers
        self._needs = needs

    @property
    def display_name(self) -> str:
        name = None if self.forgotten else plain(self._display_name)
        return FORGOTTEN_NAME if name is None else str(name)

    @property
    def organization(self) -> str | None:
        return None if self.forgotten else plain(self._organization)

    @property
    def offers(self) -> list[str]:
        return [] if self.forgotten else list(plain(self._offers) or [])

    @property
    def needs(self) -> list[str]:
        return [] if self.forgotten else list(plain(self._needs) or [])

    def forget(self, actor_id: str, at: datetime) -> bool:
        """Forgets the person: False, and no event, if they already are."""
        if self.forgotten:
            return False
        self._forgotten(actor_id=actor_id, timestamp=at)
        return True

    @event(PersonForgotten)
    def _forgotten(self, actor_id: str, timestamp: datetime) -> None:
        self.forgotten = True

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
        if self.forgotten:
            msg = "This person was forgotten: their profile can no longer be changed."
            raise BadInput(msg, field="personId")
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
