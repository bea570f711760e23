"""Subscriptions: new introduction events, live, only those the subscriber may see."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from api.schema.context import info_context
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
        async for item in ctx.services.feed.subscribe():
            # An introduction the subscriber may not see is filtered out silently: a
            # subscription to its id looks exactly like one to an id that does not exist.
            if not item.roles.visible_to(actor):
                continue
            if wanted_introduction and str(item.entry.introduction_id) != wanted_introduction:
                continue
            if wanted_introducer and item.roles.introducer_id != wanted_introducer:
                continue
            yield event_from(item.entry)
