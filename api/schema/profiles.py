"""updateMyProfile: a person edits their own profile; the admin anyone's."""

from __future__ import annotations

import strawberry

from api.schema.idempotency import IdempotencyKeyArgument
from api.schema.mutations import person_change
from api.schema.types import PersonPayload
from domain.commands import UpdateProfile

Info = strawberry.Info


@strawberry.input
class UpdateProfileInput:
    person_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The admin names the person; a person updates only themself (null = me).",
    )
    display_name: str | None = strawberry.field(
        default=None, description="Null fields are left as they are."
    )
    organization: str | None = strawberry.field(
        default=None, description="An empty string removes it."
    )
    offers: list[str] | None = None
    needs: list[str] | None = None


@strawberry.type
class ProfileMutations:
    @strawberry.mutation(
        description="Updates a profile: a PersonProfileUpdated event in the person's history "
        "and hash chain. When nothing would change, nothing is written."
    )
    async def update_my_profile(
        self,
        info: Info,
        input: UpdateProfileInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> PersonPayload:
        command = UpdateProfile(
            None if input.person_id is None else str(input.person_id),
            input.display_name,
            input.organization,
            input.offers,
            input.needs,
        )
        return await person_change(info, command, idempotency_key)
