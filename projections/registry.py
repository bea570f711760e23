"""Every view, declared once: its view class (name, tables, queries) and its projection
(the fold); and all of them opened together over one connection pool."""

# mypy: disable-error-code="type-abstract"
# (Views.of takes a view class that is abstract until opened on a backend)

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from eventsourcing.persistence import InfrastructureFactory

from projections.base import ViewProjection
from projections.expiry import ExpiryCandidatesProjection, ExpiryCandidatesView
from projections.introduction_list import IntroductionListProjection, IntroductionListView
from projections.people import PeopleProjection, PeopleView
from projections.reputation import ReputationProjection, ReputationView
from projections.suggestion_index import SuggestionIndexProjection, SuggestionIndexView
from projections.track_record import TrackRecordProjection, TrackRecordView
from projections.views import SQLiteView, View, to_us
from storage.database import Storage, use_wal

VIEWS: dict[str, tuple[type[View], type[ViewProjection[Any]]]] = {
    view.name: (view, projection)
    for view, projection in (
        (ReputationView, ReputationProjection),
        (TrackRecordView, TrackRecordProjection),
        (IntroductionListView, IntroductionListProjection),
        (ExpiryCandidatesView, ExpiryCandidatesProjection),
        (PeopleView, PeopleProjection),
        (SuggestionIndexView, SuggestionIndexProjection),
    )
}
NAMES = tuple(VIEWS)
V = TypeVar("V", bound=View)


_ON_BACKEND: dict[tuple[type[View], type[View]], type[Any]] = {}


def on_backend(view: type[View], backend: type[View]) -> type[Any]:
    """The view's queries with a backend's connections and batch writes (SQLiteView,
    or PostgresView in projections.postgres): one class for each pair, however many
    times views are opened."""
    made = _ON_BACKEND.get((view, backend))
    if made is None:
        name = backend.__name__.removesuffix("View") + view.__name__
        made = _ON_BACKEND.setdefault((view, backend), type(name, (view, backend), {}))
    return made


@dataclass
class Views:
    """The views of one storage, sharing one connection pool."""

    factory: Any
    by_name: dict[str, View]

    def of(self, view: type[V]) -> V:
        """The open view of that class, typed as such."""
        opened = self.by_name[view.name]
        assert isinstance(opened, view)
        return opened

    @property
    def reputation(self) -> ReputationView:
        return self.of(ReputationView)

    @property
    def track_record(self) -> TrackRecordView:
        return self.of(TrackRecordView)

    @property
    def introduction_list(self) -> IntroductionListView:
        return self.of(IntroductionListView)

    @property
    def expiry_candidates(self) -> ExpiryCandidatesView:
        return self.of(ExpiryCandidatesView)

    @property
    def people(self) -> PeopleView:
        return self.of(PeopleView)

    @property
    def suggestion_index(self) -> SuggestionIndexView:
        return self.of(SuggestionIndexView)

    def projections(self, names: tuple[str, ...] = NAMES) -> list[ViewProjection[Any]]:
        return [VIEWS[name][1](self.by_name[name]) for name in names]

    def close(self) -> None:
        self.factory.close()


def open_views(storage: Storage, *, half_life_days: float, clock: Callable[[], datetime]) -> Views:
    """Opens (and creates on first use) every view in the storage's database."""
    use_wal(storage)
    factory: Any = InfrastructureFactory.construct(dict(storage.env))
    backend: type[View] = SQLiteView
    if storage.kind == "postgres":
        from projections.postgres import PostgresView

        backend = PostgresView
    by_name: dict[str, View] = {}
    try:
        for name, (view_class, _) in VIEWS.items():
            view: Any = on_backend(view_class, backend)(factory.datastore)
            if isinstance(view, ReputationView):
                view.half_life_days = half_life_days
                view.created_at_us = to_us(clock())
            view.create_table()
            by_name[name] = view
    except BaseException:
        factory.close()
        raise
    return Views(factory, by_name)
