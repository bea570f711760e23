"""Subscriptions: new introduction and person events, live, only those the subscriber may
see (who sees a person's events: api/schema/person_events.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from api.errors import UNAUTHENTICATED, error_with_code
from api.schema.context import Context, info_context
from api.schema.person_events import PersonEvent, may_see_person, person_event_from
from api.schema.queries import checked_id
from api.schema.types import IntroductionEvent, event_from

Info = strawberry.Info


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def introduction_events(
        self,
        info: Info,
        introduction_id: strawberry.ID | None = None,
        introducer_id: strawberry.ID | None = None,
    ) -> AsyncGenerator[IntroductionEvent, None]:
        ctx = info_context(info)
        actor = ctx.require_actor()
        wanted_introduction = introduction_id and checked_id(introduction_id, "introductionId")
        wanted_introducer = introducer_id and checked_id(introducer_id, "introducerId")
        still_valid = TokenRecheck(ctx, actor)
        async for item in ctx.services.feed.subscribe():
            # An introduction the subscriber may not see is filtered out silently: a
            # subscription to its id looks exactly like one to an id that does not exist.
            if item.roles is None or not item.roles.visible_to(actor):
                continue
            if wanted_introduction and str(item.entry.introduction_id) != wanted_introduction:
                continue
            if wanted_introducer and item.roles.introducer_id != wanted_introducer:
                continue
            await still_valid()
            yield event_from(item.entry)

    @strawberry.subscription(
        description="New PersonProfileUpdated and PersonForgotten events (of personId when "
        "given) of the people "
        "the subscriber may see: themself, anyone they share an introduction with, and "
        "everyone for the admin."
    )
    async def person_events(
        self, info: Info, person_id: strawberry.ID | None = None
    ) -> AsyncGenerator[PersonEvent, None]:
        ctx = info_context(info)
        actor = ctx.require_actor()
        wanted_person = person_id and checked_id(person_id, "personId")
        still_valid = TokenRecheck(ctx, actor)
        async for item in ctx.services.feed.subscribe():
            if item.roles is not None:
                continue
            about = str(item.entry.introduction_id)
            if wanted_person and about != wanted_person:
                continue
            # Checked at each event: one shared introduction may have been proposed since.
            if not await may_see_person(ctx.services, actor, about):
                continue
            await still_valid()
            yield person_event_from(item.entry)


class TokenRecheck:
    """A subscription outlives the moment its token was checked: the token is checked
    again before every event (through the token cache, so a dictionary lookup while it
    is cached), so a revoked or expired token's subscription ends with UNAUTHENTICATED
    instead of sending the event."""

    def __init__(self, ctx: Context, actor: str) -> None:
        self.ctx = ctx
        self.actor = actor

    async def __call__(self) -> None:
        if self.ctx.token is None:
            return
        if await self.ctx.services.actor_of(self.ctx.token) != self.actor:
            msg = "The token of this subscription was revoked or has expired."
            raise error_with_code(msg, UNAUTHENTICATED)
