"""Snapshots are not chained; `verify --snapshots` rebuilds each snapshotted state from
the events and finds one that was changed behind the application's back."""

from __future__ import annotations

import pytest

from bench.seed import build_long_introduction
from storage.bootstrap import open_application
from storage.database import Storage
from tests.audit.helpers import run_cli
from tests.audit.tamper import tamperer_for
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.processes


def test_a_changed_snapshot_is_found(storage: Storage) -> None:
    app = open_application(storage)
    try:
        introduction_id = build_long_introduction(app, 250)  # snapshots at 100 and 200
    finally:
        app.close()
    assert run_cli(storage, "verify", "--snapshots").returncode == 0

    tamper = tamperer_for(storage, POSTGRES_URL)
    state = tamper.state(introduction_id, 200, snapshot=True)
    assert b'"replies":197' in state
    tamper.set_state(
        introduction_id, 200, state.replace(b'"replies":197', b'"replies":5'), snapshot=True
    )
    app = open_application(storage)
    try:
        misled = app.introduction_at(introduction_id, version=210)
        assert misled is not None
        assert misled.replies == 5 + 10  # what the changed snapshot makes time travel say
    finally:
        app.close()

    assert run_cli(storage, "verify").returncode == 0  # every chain still holds
    result = run_cli(storage, "verify", "--snapshots")
    assert result.returncode == 1, result.stdout + result.stderr
    assert str(introduction_id) in result.stdout
    assert "version 200" in result.stdout
    assert "snapshot differs" in result.stdout
