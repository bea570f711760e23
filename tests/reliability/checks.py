"""What must hold after any load, crash or outage, read straight from storage."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

from projections.read_models import ReadModels
from projections.rebuild import rebuild
from storage.bootstrap import open_application
from storage.database import Storage
from tests.e2e.conftest import REPO, cli, service_env
from tests.projections.helpers import dump
from tests.reliability.workload import Ledger

RANKED_AT = datetime(2030, 1, 1, tzinfo=UTC)


def logged_events(storage: Storage, ledger: Ledger) -> dict[str, dict[int, str]]:
    """The log's events (version -> type) of every introduction a client was told of."""
    app = open_application(storage)
    try:
        return {i: {e.version: e.type for e in app.history(i)} for i in ledger.introductions()}
    finally:
        app.close()


def assert_every_acknowledged_event_logged(
    storage: Storage, ledger: Ledger, *, all_answered: bool
) -> None:
    """Each acknowledged event is in the log, once, as what it was said to be. With
    `all_answered` (no crash), the log holds nothing that was not acknowledged either."""
    assert ledger.twice == [], f"two clients were told of the same version: {ledger.twice}"
    assert ledger.acknowledged, "the load wrote nothing"
    log = logged_events(storage, ledger)
    for introduction, events in log.items():
        told = ledger.versions(introduction)
        missing = {v: e for v, e in told.items() if events.get(v) != e}
        assert not missing, f"{introduction}: acknowledged but not in the log: {missing}"
        assert sorted(events) == list(range(1, len(events) + 1)), (introduction, events)
        if all_answered:
            assert events == told, f"{introduction}: logged but never acknowledged"


def assert_chains_verify(storage: Storage) -> None:
    """Nothing half-written: every hash chain recomputes from storage (`verify` exits 0)."""
    result = subprocess.run(
        cli("verify"),
        cwd=REPO,
        env=service_env(storage.url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def assert_projections_equal_a_rebuild(storage: Storage) -> None:
    """The read models as the service left them, row for row, equal a rebuild from the log."""
    read_models = ReadModels(storage)
    try:
        followed = dump(read_models, RANKED_AT)
    finally:
        read_models.close()
    rebuild(storage)
    read_models = ReadModels(storage)
    try:
        rebuilt = dump(read_models, RANKED_AT)
    finally:
        read_models.close()
    assert followed.keys() == rebuilt.keys()
    for table in followed:
        assert followed[table] == rebuilt[table], table
