"""Text bounds of docs/domain.md, at the limit (accepted) and one past it (BAD_USER_INPUT,
nothing recorded)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

import pytest

from domain.errors import BadInput
from domain.introduction import Introduction
from domain.person import Person
from tests.domain.reference import (
    CONSENTED,
    PROPOSED,
    REPLIED,
    T0,
    Cast,
    build,
)

LATER = timedelta(minutes=5)


def propose_with(cast: Cast, context: str, guidelines: str | None) -> Introduction:
    return Introduction.propose(
        id=uuid4(),
        introducer_id=cast.introducer,
        requester_id=cast.requester,
        target_id=cast.target,
        context=context,
        guidelines=guidelines,
        at=T0,
    )


def register(display_name: str) -> Person:
    return Person.register(
        id=uuid4(),
        display_name=display_name,
        organization=None,
        offers=None,
        needs=None,
        actor_id="admin",
        at=T0,
    )


# (field, limit, the state to issue it in, the command given a text of that length)
Command = Callable[[Introduction, Cast, str], None]
COMMANDS: list[tuple[str, int, str, Command]] = [
    (
        "message",
        10_000,
        CONSENTED,
        lambda i, c, text: i.record_reply(c.requester, text, T0 + timedelta(days=1)),
    ),
    (
        "note",
        2_000,
        REPLIED,
        lambda i, c, text: i.record_relationship_formed(c.introducer, text, T0 + timedelta(days=1)),
    ),
    (
        "note",
        2_000,
        CONSENTED,
        lambda i, c, text: i.burn(
            c.target, c.requester, "NO_RESEARCH", "CARING", text, T0 + timedelta(days=1)
        ),
    ),
    (
        "reason",
        2_000,
        PROPOSED,
        lambda i, c, text: i.decline(c.target, text, T0 + timedelta(days=1)),
    ),
]
COMMAND_IDS = ["reply message", "relationship note", "burn note", "decline reason"]


@pytest.mark.parametrize(("field", "limit", "state", "command"), COMMANDS, ids=COMMAND_IDS)
def test_command_text_at_the_limit_is_recorded_in_full(
    field: str, limit: int, state: str, command: Command
) -> None:
    cast = Cast.fresh()
    introduction, _ = build(state, cast)
    text = "x" * limit

    command(introduction, cast, text)

    [recorded] = introduction.collect_events()
    assert getattr(recorded, field) == text


@pytest.mark.parametrize(("field", "limit", "state", "command"), COMMANDS, ids=COMMAND_IDS)
def test_command_text_past_the_limit_is_refused_and_nothing_recorded(
    field: str, limit: int, state: str, command: Command
) -> None:
    cast = Cast.fresh()
    introduction, _ = build(state, cast)
    version, status = introduction.version, introduction.status

    with pytest.raises(BadInput) as raised:
        command(introduction, cast, "x" * (limit + 1))

    assert raised.value.field == field
    assert f"{limit:,}" in raised.value.message
    assert introduction.collect_events() == []
    assert (introduction.version, introduction.status) == (version, status)


@pytest.mark.parametrize("field", ["context", "guidelines"])
def test_proposal_texts_are_accepted_up_to_4000_characters(field: str) -> None:
    texts = {"context": "c", "guidelines": None} | {field: "y" * 4_000}
    introduction = propose_with(Cast.fresh(), **texts)  # type: ignore[arg-type]
    assert getattr(introduction, field) == "y" * 4_000


@pytest.mark.parametrize("field", ["context", "guidelines"])
def test_proposal_texts_past_4000_characters_are_refused(field: str) -> None:
    texts = {"context": "c", "guidelines": None} | {field: "y" * 4_001}
    with pytest.raises(BadInput) as raised:
        propose_with(Cast.fresh(), **texts)  # type: ignore[arg-type]
    assert raised.value.field == field


@pytest.mark.parametrize("context", ["", "   \n"])
def test_a_proposal_needs_a_context(context: str) -> None:
    with pytest.raises(BadInput) as raised:
        propose_with(Cast.fresh(), context, None)
    assert raised.value.field == "context"


def test_texts_with_a_nul_character_are_refused() -> None:
    with pytest.raises(BadInput) as raised:
        propose_with(Cast.fresh(), "before\x00after", None)
    assert raised.value.field == "context"


@pytest.mark.parametrize("length", [1, 200])
def test_display_name_of_1_to_200_characters_is_accepted(length: int) -> None:
    assert register("J" * length).display_name == "J" * length


@pytest.mark.parametrize("name", ["", "   ", "J" * 201])
def test_display_name_empty_blank_or_past_200_is_refused(name: str) -> None:
    with pytest.raises(BadInput) as raised:
        register(name)
    assert raised.value.field == "displayName"


@pytest.mark.parametrize(("field", "limit", "state", "command"), COMMANDS, ids=COMMAND_IDS)
def test_command_text_that_is_not_valid_unicode_is_refused(
    field: str, limit: int, state: str, command: Command
) -> None:
    cast = Cast.fresh()
    introduction, _ = build(state, cast)

    with pytest.raises(BadInput) as raised:
        command(introduction, cast, "half a pair: \ud83d")

    assert raised.value.field == field
    assert introduction.collect_events() == []


def test_proposal_and_person_texts_that_are_not_valid_unicode_are_refused() -> None:
    with pytest.raises(BadInput) as raised:
        propose_with(Cast.fresh(), "context \udc00", None)
    assert raised.value.field == "context"
    with pytest.raises(BadInput) as raised:
        register("Jim \ud800")
    assert raised.value.field == "displayName"


def test_text_beyond_ascii_is_accepted_and_counted_in_characters() -> None:
    introduction = propose_with(Cast.fresh(), "Zoë says 👋 " + "é" * 3_989, "日本語")
    assert len(introduction.context) == 4_000
    assert introduction.guidelines == "日本語"
