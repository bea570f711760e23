"""Query resolvers: authorise, ask the application or a read model (in a thread), map."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry

from api.errors import error_with_code, from_domain
from api.schema.context import Context, info_context, selects
from api.schema.loaders import read_persons
from api.schema.types import (
    AccessTokenInfo,
    DeliveryStatus,
    Health,
    IntroducerReputation,
    Introduction,
    IntroductionConnection,
    IntroductionEdge,
    IntroductionEvent,
    IntroductionFilter,
    PageInfo,
    Person,
    PersonConnection,
    PersonEdge,
    Webhook,
    WebhookDelivery,
    event_from,
    introduction_from,
    no_reputation,
    reputation_from,
)
from api.schema.webhooks import list_deliveries, list_webhooks
from api.services import in_thread
from domain.application import parse_id
from domain.errors import BadInput, DomainError, NotFound
from domain.introduction import ADMIN
from projections.read_models import Reputation

Info = strawberry.Info
MAX_FIRST = 100


def checked_id(raw: str, field: str) -> str:
    """A malformed id is BAD_USER_INPUT, never a crash or a lookup."""
    try:
        return str(parse_id(raw, field))
    except BadInput as e:
        raise from_domain(e) from None


def _introduction_at(
    ctx: Context, iid: str, version: int | None, at: datetime | None, actor: str
) -> Introduction | None:
    """Blocking, for a reading thread (sealed fields open there: api.schema.loaders)."""
    state = ctx.services.app.introduction_at(iid, version, at, actor)
    return introduction_from(state) if state is not None else None


def capped_first(first: int | None, default: int) -> int:
    if first is None:
        return default
    if first < 0:
        raise error_with_code("first must be 0 or more.", "BAD_USER_INPUT", "first")
    return min(first, MAX_FIRST)


@strawberry.type
class Query:
    @strawberry.field
    async def health(self, info: Info) -> Health:
        ctx = info_context(info)
        services = ctx.services
        position = None
        if ctx.actor_id is not None or not services.positions_need_a_token:
            position = await in_thread(services.app.recorder.max_notification_id) or 0
        return Health(ok=True, storage=services.storage.kind, position=position)

    @strawberry.field
    async def me(self, info: Info) -> Person | None:
        ctx = info_context(info)
        actor = ctx.require_actor()
        if actor == ADMIN:
            return None
        return await ctx.loaders.person(actor)

    @strawberry.field
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        ctx = info_context(info)
        ctx.require_actor()
        return await ctx.loaders.person(checked_id(id, "id"))

    @strawberry.field(
        description="Everyone registered, in name order; with `search`, those whose display "
        "name or organisation has words beginning with each word of it (case and accents "
        'ignored: "ja sm" finds Jason Smith). Every authenticated caller may list people.'
    )
    async def people(
        self,
        info: Info,
        search: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> PersonConnection:
        ctx = info_context(info)
        ctx.require_actor()
        try:
            page = await in_thread(
                ctx.services.read_models.people.page,
                search=search,
                first=capped_first(first, 20),
                after=after,
                with_total=selects(info, "totalCount"),
            )
        except DomainError as e:
            raise from_domain(e) from None
        nodes = await asyncio.gather(*(ctx.loaders.person(row.id) for row in page.rows))
        edges = [
            PersonEdge(cursor=row.cursor, node=node)
            for row, node in zip(page.rows, nodes, strict=True)
            if node is not None
        ]
        return PersonConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count or 0,  # 0 only when nobody reads it
        )

    @strawberry.field(
        description="The caller's own tokens, oldest first: ids and dates, never a token "
        "itself. Empty for the admin, whose token is not issued here."
    )
    async def my_tokens(self, info: Info) -> list[AccessTokenInfo]:
        ctx = info_context(info)
        actor = ctx.require_actor()
        if actor == ADMIN:
            return []
        rows = await in_thread(ctx.services.read_models.people.tokens, actor)
        return [
            AccessTokenInfo(
                token_id=strawberry.ID(row.token_id),
                created_at=row.created_at,
                expires_at=row.expires_at,
                revoked=row.revoked,
            )
            for row in rows
        ]

    @strawberry.field
    async def introduction(self, info: Info, id: strawberry.ID) -> Introduction | None:
        ctx = info_context(info)
        ctx.require_actor()
        return await ctx.loaders.introductions.load(checked_id(id, "id"))

    @strawberry.field
    async def introduction_at(
        self,
        info: Info,
        id: strawberry.ID,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Introduction | None:
        ctx = info_context(info)
        actor = ctx.require_actor()
        try:
            return await in_thread(_introduction_at, ctx, checked_id(id, "id"), version, at, actor)
        except NotFound:
            return None
        except DomainError as e:
            raise from_domain(e) from None

    @strawberry.field
    async def introduction_history(
        self,
        info: Info,
        id: strawberry.ID,
    ) -> list[IntroductionEvent]:
        ctx = info_context(info)
        actor = ctx.require_actor()
        try:
            entries = await in_thread(ctx.services.app.history, checked_id(id, "id"), actor)
        except NotFound:
            return []
        return [event_from(e) for e in entries]

    @strawberry.field
    async def introductions(
        self,
        info: Info,
        filter: IntroductionFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> IntroductionConnection:
        ctx = info_context(info)
        actor = ctx.require_actor()
        views = ctx.services.read_models
        f = filter or IntroductionFilter()
        try:
            page = await in_thread(
                views.introductions.page,
                introducer_id=checked_id(f.introducer_id, "introducerId")
                if f.introducer_id
                else None,
                person_id=checked_id(f.person_id, "personId") if f.person_id else None,
                status=f.status.value if f.status else None,
                visible_to=actor,
                first=capped_first(first, 20),
                after=after,
                # A count of every matching row grows with the log: only when selected.
                with_total=selects(info, "totalCount"),
            )
        except DomainError as e:
            raise from_domain(e) from None
        ids = [str(row.id) for row in page.rows]
        loaded = await ctx.loaders.introductions.load_many(ids)
        cursors = [str(row.cursor) for row in page.rows]  # each edge resumes after itself
        edges = [
            IntroductionEdge(cursor=cursor, node=node)
            for cursor, node in zip(cursors, loaded, strict=True)
            if node is not None
        ]
        return IntroductionConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count or 0,  # 0 only when nobody reads it
        )

    @strawberry.field
    async def introducer_reputation(
        self, info: Info, introducer_id: strawberry.ID
    ) -> IntroducerReputation | None:
        ctx = info_context(info)
        ctx.require_actor()
        services = ctx.services
        pid = checked_id(introducer_id, "introducerId")
        wants_person = selects(info, "introducer")

        def read() -> tuple[Reputation | None, list[Person | None]]:
            # The introducer too, in the same trip to a thread, when it will be needed.
            reputation = services.read_models.reputation(pid)
            needed = reputation is None or wants_person
            return reputation, read_persons(services, [pid]) if needed else []

        reputation, persons = await in_thread(read)
        if reputation is None and persons == [None]:
            return None
        if persons:
            ctx.loaders.prime_persons([pid], persons)
        return no_reputation(pid) if reputation is None else reputation_from(reputation)

    @strawberry.field
    async def leaderboard(self, info: Info, first: int | None = 10) -> list[IntroducerReputation]:
        ctx = info_context(info)
        ctx.require_actor()
        views = ctx.services.read_models
        rows = await in_thread(views.leaderboard, capped_first(first, 10))
        return [reputation_from(r) for r in rows]

    @strawberry.field
    async def webhooks(self, info: Info) -> list[Webhook]:
        return await list_webhooks(info)

    @strawberry.field
    async def webhook_deliveries(
        self,
        info: Info,
        webhook_id: strawberry.ID,
        status: DeliveryStatus | None = None,
        first: int | None = 50,
    ) -> list[WebhookDelivery]:
        return await list_deliveries(
            info, checked_id(webhook_id, "webhookId"), status, capped_first(first, 50)
        )
