"""A person's events as subscriptions stream them (today only PersonProfileUpdated), and
who may see them: the person, the admin, and whoever shares an introduction with the
person (in any role), the people who would see the name on an introduction anyway."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from api.render import entry_as_dict
from api.services import Services, in_thread
from domain.application import HistoryEntry
from domain.introduction import ADMIN


@strawberry.type(description="An event of a person's own history, e.g. PersonProfileUpdated.")
class PersonEvent:
    id: strawberry.ID = strawberry.field(
        description="Stable: the same in subscriptions and webhook-id."
    )
    person_id: strawberry.ID
    version: int = strawberry.field(description="1, 2, 3, … per person.")
    type: str = strawberry.field(description="PersonProfileUpdated.")
    occurred_at: datetime
    actor_id: strawberry.ID | None
    data: JSON = strawberry.field(
        description="The event's own fields, camelCase: the whole profile after an update, "
        "{displayName, organization, offers, needs}."
    )
    hash: str = strawberry.field(description="The event's link in the person's hash chain.")


def person_event_from(entry: HistoryEntry) -> PersonEvent:
    as_dict = entry_as_dict(entry)
    return PersonEvent(
        id=strawberry.ID(as_dict["id"]),
        person_id=strawberry.ID(as_dict["introductionId"]),  # the aggregate's id: the person
        version=entry.version,
        type=entry.type,
        occurred_at=entry.occurred_at,
        actor_id=strawberry.ID(entry.actor_id) if entry.actor_id is not None else None,
        data=as_dict["data"],
        hash=as_dict["hash"],
    )


async def may_see_person(services: Services, actor: str, person_id: str) -> bool:
    if actor in (ADMIN, person_id):
        return True
    view = services.read_models.views.introduction_list
    return await in_thread(view.share_an_introduction, actor, person_id)
