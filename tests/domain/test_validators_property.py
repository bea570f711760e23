"""The input validators on any input: a value is either accepted as something that keeps
the bounds, or refused with BadInput naming the field; never another exception."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from domain import bounds
from domain.errors import BadInput
from domain.introduction import BurnCause, BurnReason, _enum_value
from domain.use_case_base import parse_id
from domain.webhook import validate_event_types

T = TypeVar("T")

anything = st.none() | st.integers() | st.floats() | st.binary(max_size=5) | st.text(max_size=60)
texts = st.text(max_size=300) | st.sampled_from(["", " ", "\x00", "a\x00", "\ud800", "x" * 201])


def outcome(call: Callable[[], T], field: str) -> tuple[bool, T | None]:
    """(True, the accepted value), or (False, None) for a refusal naming `field`."""
    try:
        return True, call()
    except BadInput as e:
        refusal = e
    assert refusal.field == field, refusal.field
    assert refusal.message
    return False, None


@given(anything | texts, st.integers(1, 250))
def test_optional_text_keeps_its_bounds_or_refuses(value: object, maximum: int) -> None:
    ok, accepted = outcome(lambda: bounds.optional_text(value, "note", maximum), "note")
    if not ok:
        return
    assert accepted == value
    if accepted is not None:
        assert len(accepted) <= maximum
        assert "\x00" not in accepted
        accepted.encode("utf-8")


@given(anything | texts)
def test_required_text_is_never_blank(value: object) -> None:
    ok, accepted = outcome(
        lambda: bounds.required_text(value, "displayName", bounds.DISPLAY_NAME_MAX), "displayName"
    )
    if not ok:
        return
    assert accepted is not None
    assert accepted.strip()
    assert len(accepted) <= bounds.DISPLAY_NAME_MAX


@given(st.none() | st.lists(texts, max_size=60))
def test_tags_keep_their_bounds_or_refuse(values: list[str] | None) -> None:
    ok, accepted = outcome(lambda: bounds.tags(values, "offers"), "offers")
    if not ok:
        return
    assert accepted is not None
    assert len(accepted) <= bounds.TAGS_MAX
    assert all(t and t == t.strip() and len(t) <= bounds.TAG_MAX for t in accepted)


@given(st.text(max_size=50) | st.uuids().map(str) | st.uuids().map(lambda u: u.hex.upper()))
def test_ids_parse_to_a_uuid_or_refuse(raw: str) -> None:
    ok, parsed = outcome(lambda: parse_id(raw, "id"), "id")
    if not ok:
        return
    assert isinstance(parsed, UUID)
    assert parse_id(str(parsed), "id") == parsed  # one canonical form


@given(st.text(max_size=30) | st.sampled_from([*BurnReason, *BurnCause]).map(str))
def test_enum_values_are_members_or_refused(value: str) -> None:
    for enum, field in ((BurnReason, "reason"), (BurnCause, "cause")):
        ok, accepted = outcome(lambda: _enum_value(enum, value, field), field)  # noqa: B023
        members = {m.value for m in enum}
        assert (accepted in members) if ok else (value not in members)


@given(st.none() | st.lists(st.text(max_size=30) | st.just("ConsentGiven"), max_size=5))
def test_webhook_event_types_are_known_or_refused(values: list[str] | None) -> None:
    ok, accepted = outcome(lambda: validate_event_types(values), "eventTypes")
    if not ok:
        return
    assert accepted is not None
    assert len(accepted) == len(set(accepted))
