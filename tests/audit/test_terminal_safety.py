"""`history` and `replay` print what people wrote (contexts, replies, reasons, names) for
an operator's terminal: control characters and bidirectional controls are shown as
escapes, never sent raw, so stored text cannot move the cursor, retitle the window,
clear the screen or reorder a line."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from domain.introduction import ADMIN
from domain.person import Person
from storage.bootstrap import open_application
from storage.database import Storage
from tests.audit.helpers import run_cli

pytestmark = pytest.mark.processes  # runs the command line

HOSTILE = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202egnp.exe\x08\x7f"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\x08", "\x7f")


def test_history_and_replay_show_control_characters_as_escapes(sqlite_storage: Storage) -> None:
    app = open_application(sqlite_storage)
    try:
        introducer, target = (str(app.register_person(ADMIN, n).person.id) for n in ("Jo", "Al"))
        # A name stored before names were checked for controls.
        legacy = Person(
            id=uuid4(), display_name=f"Eve{HOSTILE}", organization=None, offers=[], needs=[],
            actor_id=ADMIN, timestamp=app.clock(),
        )  # fmt: skip
        app.save(legacy)
        requester = str(legacy.id)
        proposed = app.propose(introducer, requester, target, f"meet {HOSTILE}").introduction
        app.decline(target, proposed.id, f"no {HOSTILE}")
        introduction_id = str(proposed.id)
    finally:
        app.close()

    for args in (("history", introduction_id), ("history", introduction_id, "--json")):
        done = run_cli(sqlite_storage, *args)
        assert done.returncode == 0, done.stderr
        assert not [c for c in RAW if c in done.stdout], args
        assert "\\u001b" in done.stdout, done.stdout  # the table folds long cells
    lines = run_cli(sqlite_storage, "history", introduction_id, "--json").stdout.splitlines()
    assert "\\u001b]0;owned\\u0007" in lines[0]
    assert json.loads(lines[0])["data"]["context"] == f"meet {HOSTILE}"  # the same text

    story = run_cli(sqlite_storage, "replay", introduction_id)
    assert story.returncode == 0, story.stderr
    assert not [c for c in RAW if c in story.stdout]
    assert "Eve\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m\\u202egnp.exe" in story.stdout
    assert "no \\u001b]0;owned" in story.stdout
