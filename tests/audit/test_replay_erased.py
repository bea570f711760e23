"""Replay tells an introduction's story with its free text, and once a party is
forgotten, with that text erased (None), never its ciphertext, on both databases."""

from __future__ import annotations

import json

from api.commands.story import record_seed_story
from domain.commands import ForgetPerson
from domain.introduction import ADMIN
from domain.replay import replay
from storage.bootstrap import open_application
from storage.database import Storage


def test_replay_shows_free_text_then_erased(storage: Storage) -> None:
    app = open_application(storage)
    try:
        ids = record_seed_story(app)
        first = list(replay(app, ids["burned"]))
        assert first[0].state["context"].startswith("Jim manages projects")
        assert first[-1].state["outcome"]["note"].startswith("Just one more")

        app.handle(ADMIN, ForgetPerson(ids["jim"]))
        after = list(replay(app, ids["burned"]))
        assert after[0].state["context"] is None
        assert after[-1].state["outcome"]["note"] is None
        told = json.dumps([step.state for step in after], default=str)
        assert "sealed" not in told
    finally:
        app.close()
