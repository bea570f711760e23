"""`introductions replay` tells the story step by step; `history` lists every event with
its stable id, type, version, time, actor and data."""

from __future__ import annotations

import json

import pytest

from api.commands.story import record_seed_story
from domain.chain import event_id
from domain.replay import replay
from storage.bootstrap import open_application
from storage.database import Storage
from tests.audit.helpers import run_cli, ticking_app
from tests.conftest import FakeClock

pytestmark = pytest.mark.processes


def test_replay_says_what_each_event_changed(sqlite_storage: Storage, clock: FakeClock) -> None:
    app = ticking_app(sqlite_storage, clock)
    try:
        ids = record_seed_story(app)
        steps = list(replay(app, ids["burned"]))
        assert [s.entry.version for s in steps] == [1, 2, 3, 4, 5]
        assert steps[2].changes["status_value"] == ("PROPOSED", "CONSENTED")
        assert steps[4].changes["status_value"] == ("REPLIED", "BURNED")
        assert steps[4].state["outcome"]["reason"] == "TRANSACTIONAL_ASK"
        # Each step's state is the state introduction_at gives for that version.
        for step in steps:
            then = app.introduction_at(ids["burned"], version=step.entry.version)
            assert then is not None
            assert then.status_value == step.state["status_value"]
    finally:
        app.close()

    result = run_cli(sqlite_storage, "replay", ids["burned"])
    assert result.returncode == 0, result.stderr
    assert "IntroductionBurned by John" in result.stdout
    assert 'status: "REPLIED" -> "BURNED"' in result.stdout


def test_history_lists_every_event_with_its_stable_id(sqlite_storage: Storage) -> None:
    app = open_application(sqlite_storage)
    try:
        ids = record_seed_story(app)
    finally:
        app.close()
    result = run_cli(sqlite_storage, "history", ids["burned"], "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["version"] for r in rows] == [1, 2, 3, 4, 5]
    for row in rows:
        assert row["id"] == str(event_id(ids["burned"], row["version"]))
        assert {"type", "occurredAt", "actorId", "data", "hash"} <= row.keys()
    assert rows[4]["type"] == "IntroductionBurned"
    assert rows[4]["actorId"] == ids["john"]
    assert rows[4]["data"]["reason"] == "TRANSACTIONAL_ASK"
