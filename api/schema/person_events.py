"""A person's events as subscriptions stream them (PersonProfileUpdated, PersonForgotten), and
who may see them: the person, the admin, and whoever shares an introduction with the
person (in any role), the people who would see the name on an introduction anyway."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from api.schema.types import event_from
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
    type: str = strawberry.field(description="PersonProfileUpdated or PersonForgotten.")
    occurred_at: datetime
    actor_id: strawberry.ID | None
    data: JSON = strawberry.field(
        description="The event's own fields, camelCase: the whole profile after an update, "
        "{displayName, organization, offers, needs}."
    )
    hash: str = strawberry.field(description="The event's link in the person's hash chain.")


def person_event_from(entry: HistoryEntry) -> PersonEvent:
    """The fields of an IntroductionEvent, whose aggregate id is here the person's."""
    fields = dict(vars(event_from(entry)))
    fields["person_id"] = fields.pop("introduction_id")
    return PersonEvent(**fields)


async def may_see_person(services: Services, actor: str, person_id: str) -> bool:
    if actor in (ADMIN, person_id):
        return True
    view = services.read_models.views.introduction_list
    return await in_thread(view.share_an_introduction, actor, person_id)
