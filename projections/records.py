"""The read models' records, as the API sees them (re-exported by read_models)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from projections.screening import Screening

R = TypeVar("R")
T = TypeVar("T")
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def copied(record_type: type[T], source: object, **given: Any) -> T:
    """A dataclass (a record, or an API type) from `source`: each field its attribute of
    the same name, but those given here (converted, or named otherwise)."""
    every = _FIELD_NAMES.get(record_type)
    if every is None:
        fields = dataclasses.fields(record_type)  # type: ignore[arg-type]  # a dataclass
        every = _FIELD_NAMES[record_type] = tuple(f.name for f in fields if f.init)
    taken = {n: getattr(source, n) for n in every if n not in given}
    return record_type(**taken, **given)


# Reputation and TrackRecord are not frozen: the API's GraphQL types extend them
# (api/schema/types.py), and strawberry's dataclasses cannot extend frozen ones.
@dataclass
class Reputation:
    introducer_id: str
    score: float
    ranking_score: float
    proposed: int
    consented: int
    declined: int
    replied: int
    relationships_formed: int
    burned: int
    expired: int


@dataclass
class TrackRecord:
    person_id: str
    introductions_as_party: int
    consents_given: int
    declines: int
    replies_sent: int
    burns_blamed: int
    ghosted: int
    screening: Screening
    reasons: list[str]


@dataclass(frozen=True)
class IntroductionRow:
    id: str
    introducer_id: str
    requester_id: str
    target_id: str
    status: str
    proposed_at: datetime
    updated_at: datetime
    version: int
    cursor: str | None = None  # this row's own `after` cursor (a page's edges)


@dataclass(frozen=True)
class PersonRow:
    id: str
    display_name: str
    organization: str | None
    cursor: str


@dataclass(frozen=True)
class TokenRow:
    token_id: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


@dataclass(frozen=True)
class Page(Generic[R]):
    rows: list[R]
    end_cursor: str | None
    has_next_page: bool
    total_count: int | None  # None when not asked for
