"""Our own tables (views, webhook deliveries) carry schema versions per component in
`schema_migrations`: applied at start, once, in order, by one process at a time, and a
database made before versioning is adopted as version 1 without losing a row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from domain.application import IntroductionsApp
from domain.errors import ConfigurationError
from domain.introduction import ADMIN
from migrations import Migration
from projections.read_models import ReadModels
from projections.registry import NAMES
from projections.views import View
from storage.bootstrap import open_application
from storage.database import Storage
from tests.migrations.starter import UPGRADE, start_together, upgraded_store
from tests.processes import run_together
from tests.projections.helpers import project
from webhooks.store import open_store

COMPONENTS = [*NAMES, "webhooks"]
# The versions this code applies: every component's first, and the suggestion index's 2.
SHIPPED = sorted([*((c, 1) for c in COMPONENTS), ("suggestion_index", 2)])
PROCESSES = 3


@pytest.fixture
def app(storage: Storage) -> Iterator[IntroductionsApp]:
    application = open_application(storage)
    yield application
    application.close()


def versions(storage: Storage) -> list[tuple[str, int, str]]:
    """(component, version, applied_at) of every recorded migration."""
    read_models = ReadModels(storage)
    try:
        return rows(read_models.views.reputation, "SELECT * FROM {s}schema_migrations")
    finally:
        read_models.close()


def rows(view: View, query: str) -> list[Any]:
    with view.read() as cur:
        cur.execute(view.sql(query))
        return sorted(tuple(r) for r in cur.fetchall())


def start(storage: Storage) -> None:
    """What `serve` and `worker` do at start: open the views and the webhook store."""
    ReadModels(storage).close()
    open_store(storage).close()


def test_every_component_is_at_its_version_and_starting_again_applies_nothing(
    storage: Storage,
) -> None:
    start(storage)
    first = versions(storage)
    assert [(c, v) for c, v, _ in first] == SHIPPED
    start(storage)
    start(storage)
    assert versions(storage) == first  # same rows, same applied_at: nothing ran again


def test_a_database_from_before_versioning_keeps_its_rows(
    storage: Storage, app: IntroductionsApp
) -> None:
    from api.commands.story import record_seed_story

    record_seed_story(app)
    read_models = ReadModels(storage)
    project(app, read_models)
    before = rows(read_models.views.reputation, "SELECT * FROM {s}reputation")
    assert len(before) == 2
    with read_models.views.reputation.write() as cur:  # as databases were until now
        cur.execute(read_models.views.reputation.sql("DROP TABLE {s}schema_migrations"))
    read_models.close()

    start(storage)

    read_models = ReadModels(storage)
    try:
        assert rows(read_models.views.reputation, "SELECT * FROM {s}reputation") == before
        assert read_models.position() == app.recorder.max_notification_id()
    finally:
        read_models.close()
    assert [(c, v) for c, v, _ in versions(storage)] == SHIPPED


def test_a_new_version_is_applied_once(storage: Storage) -> None:
    start(storage)
    upgraded_store(storage).close()
    upgraded_store(storage).close()  # the ALTER TABLE would fail if it ran again
    assert ("webhooks", 2) in [(c, v) for c, v, _ in versions(storage)]


def test_an_older_program_refuses_a_newer_schema(storage: Storage) -> None:
    upgraded_store(storage).close()
    with pytest.raises(ConfigurationError, match="webhooks tables are at schema version 2"):
        open_store(storage)


def test_dropping_a_view_for_a_rebuild_applies_every_version_again(storage: Storage) -> None:
    read_models = ReadModels(storage)
    try:
        view = read_models.views.track_record
        view.upgrades = (("ALTER TABLE {s}track_records ADD COLUMN note TEXT",),)
        view.drop()
        view.drop()
        assert rows(view, "SELECT note FROM {s}track_records") == []
        recorded = rows(view, "SELECT component, version FROM {s}schema_migrations")
        assert ("track_record", 2) in recorded
    finally:
        read_models.close()


@pytest.mark.processes
def test_processes_starting_together_migrate_once(storage: Storage) -> None:
    outcomes = run_together(start_together, storage.url, processes=PROCESSES)
    assert outcomes == [("started", None)] * PROCESSES, outcomes
    recorded = [(c, v) for c, v, _ in versions(storage)]
    assert recorded == sorted([*SHIPPED, ("webhooks", UPGRADE.version)])


def test_migrations_must_be_numbered_in_order() -> None:
    from migrations import migrate
    from storage.dialect import Dialect

    with pytest.raises(ValueError, match="numbered 1, 2, 3"):
        migrate(None, Dialect.sqlite(), "x", [Migration(2, ())])


def test_the_suggestion_index_at_version_1_gets_its_profiled_people(
    storage: Storage, app: IntroductionsApp
) -> None:
    """Version 2 lists the people a version 1 index already holds, so that the admin's
    suggestions see them before any rebuild."""
    from projections.suggestions import suggest

    jim = str(app.register_person(ADMIN, "Jim", needs=["marketing jobs"]).person.id)
    maria = str(app.register_person(ADMIN, "Maria", offers=["marketing"]).person.id)
    read_models = ReadModels(storage)
    project(app, read_models)
    index = read_models.views.suggestion_index
    with index.write() as cur:  # as version 1 left it
        cur.execute(index.sql("DROP TABLE {s}profiled_people"))
        cur.execute(
            index.sql(
                "DELETE FROM {s}schema_migrations WHERE component = 'suggestion_index' "
                "AND version = 2"
            )
        )
    read_models.close()

    start(storage)

    read_models = ReadModels(storage)
    try:
        assert sorted(read_models.views.suggestion_index.recently_profiled(10)) == sorted(
            [jim, maria]
        )
        found = suggest(read_models.views, ADMIN, everyone=True)
        assert [(s.requester_id, s.target_id) for s in found] == [(jim, maria)]
    finally:
        read_models.close()
