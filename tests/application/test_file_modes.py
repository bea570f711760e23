"""Files that hold secrets (webhook secrets are in the log in clear) are the owner's
alone, whatever the umask: the SQLite database, its WAL and shared-memory files, and
export files. The folder they are in keeps its own mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.introduction import ADMIN
from storage.bootstrap import open_application
from storage.database import parse_database_url
from transfer.export import export_log

OWNER_ONLY = 0o600


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("umask_022")
def test_the_database_its_wal_and_exports_are_the_owners_alone(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    database = folder / "introductions.db"
    storage = parse_database_url(f"sqlite:///{database}")
    app = open_application(storage)
    try:
        app.register_person(ADMIN, "Jim")
        files = [database, folder / "introductions.db-wal", folder / "introductions.db-shm"]
        assert {f.name: oct(mode(f)) for f in files} == {f.name: oct(OWNER_ONLY) for f in files}
    finally:
        app.close()

    fresh = folder / "events.jsonl"
    export_log(storage, fresh, passphrase=b"a passphrase for the test")
    forced = folder / "old-export.jsonl"
    forced.write_text("an older export\n")
    forced.chmod(0o644)
    export_log(storage, forced, passphrase=b"a passphrase for the test")  # --force
    assert (oct(mode(fresh)), oct(mode(forced))) == (oct(OWNER_ONLY), oct(OWNER_ONLY))
    assert oct(mode(folder)) == oct(0o755)
