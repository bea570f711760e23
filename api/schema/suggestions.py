"""`suggestedIntroductions`: pairs a connector could introduce, from the suggestion index
(projections/suggestions.py), with the people loaded in one batch."""

from __future__ import annotations

import asyncio

import strawberry

from api.errors import from_domain
from api.schema.context import info_context
from api.schema.types import Person
from api.services import in_thread
from domain.errors import DomainError
from domain.introduction import ADMIN
from projections.suggestions import suggest

Info = strawberry.Info


@strawberry.type(
    description="A pair the connector could introduce: the requester's needs meet the "
    "target's offers."
)
class IntroductionSuggestion:
    requester: Person
    target: Person
    score: float = strawberry.field(
        description="0 to 1: higher when more terms of needs and offers meet; halved for "
        "each party screened CAUTION."
    )
    reasons: list[str] = strawberry.field(
        description='In words: "Jim needs: marketing job leads; Maria offers: marketing '
        'hiring advice", and why a pair was ranked down.'
    )


@strawberry.type
class SuggestionQueries:
    @strawberry.field(
        description="For the caller as a connector: pairs of their network (everyone they "
        "share an introduction with; everyone for the admin) whose needs meet offers, best "
        "first. Never a pair already introduced to each other, anyone screened AVOID, or "
        "anyone who declined an introduction of the caller."
    )
    async def suggested_introductions(
        self, info: Info, first: int | None = 10
    ) -> list[IntroductionSuggestion]:
        ctx = info_context(info)
        actor = ctx.require_actor()
        views = ctx.services.read_models.views
        try:
            found = await in_thread(
                suggest, views, actor, everyone=actor == ADMIN, first=10 if first is None else first
            )
        except DomainError as e:
            raise from_domain(e) from None
        people = await asyncio.gather(
            *(ctx.loaders.person(p) for s in found for p in (s.requester_id, s.target_id))
        )  # one batch
        return [
            IntroductionSuggestion(
                requester=requester, target=target, score=s.score, reasons=s.reasons
            )
            for s, requester, target in zip(found, people[::2], people[1::2], strict=True)
            if requester is not None and target is not None
        ]
