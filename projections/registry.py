"""Every view, opened together over one connection pool: the list of projections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.persistence import InfrastructureFactory

from projections.base import ViewProjection
from projections.expiry import (
    ExpiryCandidatesProjection,
    ExpiryCandidatesView,
    SQLiteExpiryCandidatesView,
)
from projections.introduction_list import (
    IntroductionListProjection,
    IntroductionListView,
    SQLiteIntroductionListView,
)
from projections.reputation import (
    ReputationProjection,
    ReputationView,
    SQLiteReputationView,
)
from projections.track_record import (
    SQLiteTrackRecordView,
    TrackRecordProjection,
    TrackRecordView,
)
from projections.views import View, to_us
from storage.database import Storage, use_wal

NAMES = ("reputation", "track_record", "introduction_list", "expiry_candidates")
_CLASSES: dict[str, tuple[type[Any], type[ViewProjection[Any]]]] = {
    "reputation": (SQLiteReputationView, ReputationProjection),
    "track_record": (SQLiteTrackRecordView, TrackRecordProjection),
    "introduction_list": (
        SQLiteIntroductionListView,
        IntroductionListProjection,
    ),
    "expiry_candidates": (
        SQLiteExpiryCandidatesView,
        ExpiryCandidatesProjection,
    ),
}


@dataclass
class Views:
    """The views of one storage, sharing one connection pool."""

    factory: Any
    by_name: dict[str, View]

    @property
    def reputation(self) -> ReputationView:
        view = self.by_name["reputation"]
        assert isinstance(view, ReputationView)
        return view

    @property
    def track_record(self) -> TrackRecordView:
        view = self.by_name["track_record"]
        assert isinstance(view, TrackRecordView)
        return view

    @property
    def introduction_list(self) -> IntroductionListView:
        view = self.by_name["introduction_list"]
        assert isinstance(view, IntroductionListView)
        return view

    @property
    def expiry_candidates(self) -> ExpiryCandidatesView:
        view = self.by_name["expiry_candidates"]
        assert isinstance(view, ExpiryCandidatesView)
        return view

    def projections(self, names: tuple[str, ...] = NAMES) -> list[ViewProjection[Any]]:
        return [_CLASSES[name][1](self.by_name[name]) for name in names]

    def close(self) -> None:
        self.factory.close()


def open_views(storage: Storage, *, half_life_days: float, clock: Callable[[], datetime]) -> Views:
    """Opens (and creates on first use) every view in the storage's database."""
    use_wal(storage)
    factory: Any = InfrastructureFactory.construct(dict(storage.env))
    classes = {name: _CLASSES[name][0] for name in NAMES}
    if storage.kind == "postgres":
        from projections.postgres import VIEW_CLASSES

        classes = dict(VIEW_CLASSES)
    by_name: dict[str, View] = {}
    try:
        for name in NAMES:
            view_class = classes[name]
            view: Any = view_class(factory.datastore)
            if isinstance(view, ReputationView):
                view.half_life_days = half_life_days
                view.created_at_us = to_us(clock())
            view.create_table()
            by_name[name] = view
    except BaseException:
        factory.close()
        raise
    return Views(factory, by_name)
