"""The reply coach at the edge: `assessMessage`, and the assessment of a recorded reply.
The coach itself (domain.coach) is pure; here the introduction's guidelines, context and
people's names are looked up, with the caller's access checked."""

from __future__ import annotations

import asyncio
from typing import Any, TypeGuard

import strawberry

from api.errors import from_domain
from api.schema.context import Context, info_context
from api.schema.types import Introduction, MessageAssessment, assessment_from
from api.services import in_thread
from domain import bounds
from domain.application import parse_id
from domain.coach import Assessment, Setting, Verdict, assess
from domain.errors import DomainError, Forbidden, NotFound
from domain.personal import plain
from domain.results import CommandResult

Info = strawberry.Info
# Past this many characters the coach runs in a worker thread, off the event loop; a
# typical message takes well under a millisecond and is assessed in place.
INLINE_MAX = 2_000


def coach_people(introducer_id: str, requester_id: str, target_id: str, writer: str) -> list[str]:
    """The people whose names and offers the coach holds a message from `writer` against:
    the introducer, and the recipient (the other party)."""
    return [introducer_id, target_id if writer == requester_id else requester_id]


class CoachPeople:
    """Called in the worker thread of a reply's write with its result: reads the people
    the coach needs, so that `prime` hands them to the loaders (on the event loop) and
    setting_for finds them without another trip to a thread."""

    def __init__(self, ctx: Context, writer: str) -> None:
        self.ctx, self.writer = ctx, writer
        self.ids: list[str] = []
        self.found: dict[str, Any] | None = None

    def __call__(self, result: CommandResult) -> None:
        i = result.introduction
        self.ids = coach_people(i.introducer_id, i.requester_id, i.target_id, self.writer)
        self.found = self.ctx.services.app.get_persons_batched(self.ids)

    def prime(self) -> None:
        if self.found is not None:
            self.ctx.loaders.prime_persons(self.ids, self.found)


async def setting_for(ctx: Context, introduction: Introduction, writer: str) -> Setting:
    """What the coach holds a message from `writer` (a party) against."""
    introducer_id, recipient_id = coach_people(
        introduction.introducer_id, introduction.requester_id, introduction.target_id, writer
    )
    introducer, recipient = await asyncio.gather(
        ctx.loaders.person(introducer_id), ctx.loaders.person(recipient_id)
    )  # one batch
    return Setting(
        guidelines=plain(introduction.guidelines),
        context=plain(introduction.context) or "",
        introducer_name=first_name(introducer.display_name) if introducer else None,
        recipient_name=first_name(recipient.display_name) if recipient else None,
        recipient_about=tuple(
            [*recipient.offers, *([recipient.organization] if recipient.organization else [])]
        )
        if recipient
        else (),
    )


def first_name(display_name: str) -> str:
    return display_name.split()[0] if display_name.split() else display_name


async def run_coach(text: str, setting: Setting | None) -> Assessment:
    if len(text) > INLINE_MAX:
        return await in_thread(assess, text, setting)
    return assess(text, setting)


def as_warnings(assessment: Assessment) -> list[str]:
    """The assessment in the payload's warnings: empty when GOOD, else the verdict and
    each finding with its evidence and advice."""
    if assessment.verdict is Verdict.GOOD:
        return []
    head = (
        f"Reply coach ({assessment.coach_version}): {assessment.verdict.value}, "
        f"risk {assessment.risk:.2f}."
    )
    return [head] + [f"{f.reason}: “{f.evidence}”. {f.advice}" for f in assessment.findings]


def has_text(message: str | None) -> TypeGuard[str]:
    return bool(message and message.strip())


async def assess_reply(
    ctx: Context, introduction: Introduction, writer: str, message: str | None
) -> Assessment | None:
    if has_text(message):
        return await run_coach(message, await setting_for(ctx, introduction, writer))
    return None


@strawberry.type
class CoachQueries:
    @strawberry.field(
        description="The reply coach's reading of a message before it is sent. With "
        "introductionId (the caller a party of it), the message is also held against the "
        "introducer's guidelines and the introduction's context."
    )
    async def assess_message(
        self, info: Info, text: str, introduction_id: strawberry.ID | None = None
    ) -> MessageAssessment:
        ctx = info_context(info)
        actor = ctx.require_actor()
        try:
            text = bounds.required_text(text, "text", bounds.MESSAGE_MAX)
            setting = None
            if introduction_id is not None:
                setting = await party_setting(ctx, str(introduction_id), actor)
        except DomainError as e:
            raise from_domain(e) from None
        return assessment_from(await run_coach(text, setting))


async def party_setting(ctx: Context, raw_id: str, actor: str) -> Setting:
    introduction_id = str(parse_id(raw_id, "introductionId"))
    introduction = await ctx.loaders.introductions.load(introduction_id)
    if introduction is None:
        msg = f"No introduction has the id {introduction_id}."
        raise NotFound(msg, field="introductionId")
    if actor not in (introduction.requester_id, introduction.target_id):
        msg = (
            "Only the requester or the target of an introduction can hold a message "
            "against it; leave introductionId out to assess the text alone."
        )
        raise Forbidden(msg, field="introductionId")
    return await setting_for(ctx, introduction, actor)
