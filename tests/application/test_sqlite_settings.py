"""Background checkpoints (storage.sqlite), read back from the connections and
the file: no commit checkpoints, a thread does for as long as a factory has the file
open, and the log's commits still sync."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from api.commands.story import record_seed_story
from projections.read_models import ReadModels
from storage.bootstrap import open_application
from storage.database import Storage, parse_database_url
from storage.sqlite import checkpointing_in_background
from tests.conftest import FakeClock

FULL = 2
DEFAULT_AUTOCHECKPOINT = 1000


def pragma(factory: Any, name: str) -> int:
    with factory.datastore.transaction(commit=False) as cursor:
        cursor.execute(f"PRAGMA {name}")
        return int(cursor.fetchone()[0])


def checkpointing_threads() -> int:
    return sum(t.name == "wal-checkpoints" for t in threading.enumerate())


def test_by_default_commits_checkpoint_and_no_thread_runs(sqlite_storage: Storage) -> None:
    app = open_application(sqlite_storage)
    try:
        assert pragma(app.factory, "synchronous") == FULL
        assert pragma(app.factory, "wal_autocheckpoint") == DEFAULT_AUTOCHECKPOINT
        assert checkpointing_threads() == 0
    finally:
        app.close()


def test_background_checkpoints_take_the_log_into_the_file_while_it_is_open(
    sqlite_storage: Storage, clock: FakeClock
) -> None:
    storage = checkpointing_in_background(sqlite_storage)
    app = open_application(storage, clock=clock)
    views = ReadModels(storage)
    try:
        assert pragma(app.factory, "wal_autocheckpoint") == 0
        with views.views.by_name["reputation"].write() as cursor:  # as a fold's, tuned
            assert cursor.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        assert pragma(app.factory, "synchronous") == FULL
        assert checkpointing_threads() == 1  # one per file, however many factories
        database = Path(str(storage.sqlite_path))
        size_before = database.stat().st_size
        record_seed_story(app)
        # No commit checkpoints, so only the thread can have copied the log into the file.
        deadline = time.monotonic() + 10
        while database.stat().st_size == size_before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert database.stat().st_size > size_before
    finally:
        views.close()
        assert checkpointing_threads() == 1  # the application still has the file open
        app.close()
    assert checkpointing_threads() == 0
    with closing(sqlite3.connect(str(storage.sqlite_path))) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_what_was_written_with_background_checkpoints_survives_reopening(
    sqlite_storage: Storage, clock: FakeClock
) -> None:
    first = open_application(checkpointing_in_background(sqlite_storage), clock=clock)
    try:
        ids = record_seed_story(first)
        position = first.recorder.max_notification_id()
    finally:
        first.close()
    second = open_application(sqlite_storage, clock=clock)
    try:
        assert second.recorder.max_notification_id() == position
        assert second.get_introduction(ids["burned"]).status.value == "BURNED"
    finally:
        second.close()


def test_the_setting_leaves_other_storages_as_they_are() -> None:
    memory = parse_database_url("sqlite:///:memory:")
    postgres = parse_database_url("postgresql://u@localhost:5432/db")
    for storage in (memory, postgres):
        assert checkpointing_in_background(storage) is storage
