"""forgetPerson: the admin, or a person themself, erases the person's personal data
(domain.personal): their keys are destroyed with the PersonForgotten event."""

from __future__ import annotations

import strawberry

from api.schema.context import info_context
from api.schema.idempotency import IdempotencyKeyArgument
from api.schema.mutations import mutation_error, write_then_read_your_writes
from api.schema.types import MutationError
from api.services import in_thread
from domain.commands import ForgetPerson
from domain.errors import DomainError
from storage.personal_keys import scrub_after_forgetting

Info = strawberry.Info


@strawberry.type
class ForgetPersonPayload:
    person_id: strawberry.ID | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class ForgetMutations:
    @strawberry.mutation(
        description="Forgets a person at their request (the admin, or the person themself): "
        "destroys their keys with a PersonForgotten event, so their name, profile and the "
        "free text of their introductions read as erased everywhere, history included; "
        "counts and the hash chains stay. Their tokens stop working. Forgetting again "
        "changes nothing."
    )
    async def forget_person(
        self, info: Info, person_id: strawberry.ID, idempotency_key: IdempotencyKeyArgument = None
    ) -> ForgetPersonPayload:
        ctx = info_context(info)
        try:
            result = await write_then_read_your_writes(
                ctx, ForgetPerson(str(person_id)), idempotency_key
            )
        except DomainError as e:
            return ForgetPersonPayload(errors=[mutation_error(e)])
        person = str(result.person.id)
        ctx.services.known_tokens.forget_person(person)
        await in_thread(scrub_after_forgetting, ctx.services.app)
        return ForgetPersonPayload(person_id=strawberry.ID(person))
