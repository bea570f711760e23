"""The chain verifier's findings in words, in-process (the CLI tests run it end to end)."""

from __future__ import annotations

from uuid import UUID

from api.commands.story import record_seed_story
from domain.audit import verify_aggregate, verify_log
from storage.bootstrap import open_application
from storage.database import Storage
from tests.audit.tamper import SQLiteTamperer


def seeded(storage: Storage) -> tuple[dict[str, str], SQLiteTamperer]:
    app = open_application(storage)
    try:
        ids = record_seed_story(app)
    finally:
        app.close()
    assert storage.sqlite_path is not None
    return ids, SQLiteTamperer(storage.sqlite_path)


def problems(storage: Storage) -> list[str]:
    app = open_application(storage)
    try:
        report = verify_log(app)
    finally:
        app.close()
    return [f"{f.aggregate_id} v{f.version}: {f.problem}" for f in report.findings]


def test_a_deleted_first_event(sqlite_storage: Storage) -> None:
    ids, tamper = seeded(sqlite_storage)
    tamper.delete(UUID(ids["formed"]), 1)
    assert problems(sqlite_storage) == [
        f"{ids['formed']} v2: version 1 is missing before it: the chain starts at version 2"
        " (an event was deleted)"
    ]


def test_a_changed_event_type_breaks_the_hash(sqlite_storage: Storage) -> None:
    ids, tamper = seeded(sqlite_storage)
    tamper.execute(
        "UPDATE stored_events SET topic=replace(topic, 'IntroductionBurned', 'RelationshipFormed')"
    )
    (problem,) = problems(sqlite_storage)
    assert problem.startswith(f"{ids['burned']} v5: its hash does not match")


def test_the_first_finding_is_the_earliest_in_the_log(sqlite_storage: Storage) -> None:
    ids, tamper = seeded(sqlite_storage)
    tamper.delete(UUID(ids["formed"]), 3)  # later in the log, but found only at the end
    tamper.delete(UUID(ids["burned"]), 2)
    app = open_application(sqlite_storage)
    try:
        report = verify_log(app)
        one = verify_aggregate(app, UUID(ids["formed"]))
    finally:
        app.close()
    assert len(report.findings) == 2
    first = report.first_finding
    assert first is not None
    assert (first.aggregate_id, first.version) == (ids["burned"], 3)
    assert [f.version for f in one.findings] == [4]
