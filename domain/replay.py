"""The story of one introduction, told event by event: the state after each event and
what that event changed, for a person reading how it came to be where it is."""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.application import HistoryEntry, IntroductionsApp, history_entry
from domain.introduction import ADMIN
from domain.personal import plain

# Bookkeeping that changes with every event and says nothing about the story.
UNTOLD_FIELDS = frozenset({"chain_head"})


@dataclass(frozen=True)
class ReplayStep:
    entry: HistoryEntry
    state: dict[str, Any]  # the introduction's fields after this event
    changes: dict[str, tuple[Any, Any]]  # field -> (before, after)


def replay(
    app: IntroductionsApp, introduction_id: str | UUID, actor_id: str = ADMIN
) -> Iterator[ReplayStep]:
    """Applies the introduction's events one at a time, as the repository would."""
    introduction = app.get_introduction(introduction_id, actor_id)
    aggregate: Any = None
    before: dict[str, Any] = {}
    for event in app.events.get(introduction.id):
        aggregate = event.mutate(aggregate)  # type: ignore[attr-defined]
        after = told_state(aggregate)
        changes = {
            name: (before.get(name), value)
            for name, value in after.items()
            if name not in before or before[name] != value
        }
        yield ReplayStep(history_entry(event), after, changes)
        before = after


def told_state(aggregate: Any) -> dict[str, Any]:
    # Copied, because the next event mutates the same aggregate in place; sealed fields
    # opened (None once erased), as the history shows them.
    return {
        name: _opened(deepcopy(value))
        for name, value in vars(aggregate).items()
        if not name.startswith("_") and name not in UNTOLD_FIELDS
    }


def _opened(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _opened(v) for k, v in value.items()}
    return plain(value)
