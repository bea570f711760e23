"""The introduction's events are declared once, and that list is every event class the
aggregate defines: an event added without it would be neither folded by the views, nor
delivered to webhooks, nor streamed to subscribers."""

from __future__ import annotations

from domain.chain import ChainedAggregate
from domain.introduction import INTRODUCTION_EVENTS, Introduction


def test_the_registry_lists_every_event_the_introduction_defines() -> None:
    classes = (v for v in vars(Introduction).values() if isinstance(v, type))
    events = {c for c in classes if issubclass(c, ChainedAggregate.Event)}
    defined = {e for e in events if e.__name__ not in {"Event", "Created"}}  # the library's bases
    assert set(INTRODUCTION_EVENTS) == defined
