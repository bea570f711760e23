"""`introductions demo`, then `history` of the burned introduction, as a table and as
JSON lines, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from uuid import uuid4

import pytest

from domain.chain import event_id
from tests.cli.run import introductions

pytestmark = pytest.mark.processes

STORY = [
    ("IntroductionProposed", "Jason"),
    ("ConsentGiven", "Jim"),
    ("ConsentGiven", "John"),
    ("ReplyRecorded", "Jim"),
    ("IntroductionBurned", "John"),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'introductions.db'}"
    return str(request.getfixturevalue("postgres_url"))


def run_demo(database_url: str, cwd: Path) -> dict[str, str]:
    result = introductions("demo", database_url=database_url, cwd=cwd)
    assert result.returncode == 0, result.stderr
    ids = dict(re.findall(r"^  (\w+) +([0-9a-f-]{36})$", result.stdout, re.MULTILINE))
    [burned] = re.findall(r"Burned introduction .*: ([0-9a-f-]{36})", result.stdout)
    return ids | {"burned": burned}


def test_demo_then_history_as_json_lines_and_as_a_table(database_url: str, tmp_path: Path) -> None:
    ids = run_demo(database_url, tmp_path)

    as_json = introductions(
        "history", ids["burned"], "--json", database_url=database_url, cwd=tmp_path
    )
    as_table = introductions("history", ids["burned"], database_url=database_url, cwd=tmp_path)
    unknown = str(uuid4())
    not_found = introductions("history", unknown, database_url=database_url, cwd=tmp_path)

    assert_json_lines_tell_the_story(as_json, ids)
    assert_table_tells_the_story(as_table, ids)
    assert not_found.returncode != 0
    assert not_found.stderr.splitlines() == [
        f"introductions: No introduction has the id {unknown}."
    ]


def assert_json_lines_tell_the_story(
    result: subprocess.CompletedProcess[str], ids: dict[str, str]
) -> None:
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["type"], e["actorId"]) for e in entries] == [(t, ids[who]) for t, who in STORY]
    assert [e["version"] for e in entries] == [1, 2, 3, 4, 5]
    assert {e["introductionId"] for e in entries} == {ids["burned"]}
    assert [e["id"] for e in entries] == [str(event_id(ids["burned"], v)) for v in range(1, 6)]
    assert entries[3]["data"]["message"].startswith("Dear John")
    assert entries[4]["data"]["reason"] == "TRANSACTIONAL_ASK"
    assert entries[4]["data"]["blamedPersonId"] == ids["Jim"]
    assert len({e["hash"] for e in entries}) == 5
    times = [e["occurredAt"] for e in entries]
    assert times == sorted(times)
    assert all(t.endswith("+00:00") for t in times)


def assert_table_tells_the_story(
    result: subprocess.CompletedProcess[str], ids: dict[str, str]
) -> None:
    assert result.returncode == 0, result.stderr
    assert ids["burned"] in result.stdout
    rows = [line for line in result.stdout.splitlines() if re.match(r"^\W+\d\s", line)]
    versions = [re.findall(r"^\W+(\d)", row)[0] for row in rows]
    types = [re.findall(r"(Introduction\w+|Consent\w+|Reply\w+)", row)[0] for row in rows]
    assert versions == ["1", "2", "3", "4", "5"]
    assert types == [t for t, _ in STORY]
