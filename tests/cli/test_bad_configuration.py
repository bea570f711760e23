"""A bad INTRODUCTIONS_DATABASE_URL stops the command with one line that names the
variable and says what is wrong: no traceback, no password."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.run import introductions

pytestmark = pytest.mark.processes

PASSWORD = "hunter2-s3cret"
BAD_URLS = {
    "not a URL": "introductions.db",
    "malformed": f"postgresql://app:{PASSWORD}@db.example:port/introductions",
    "unclosed bracket": f"postgresql://app:{PASSWORD}@[db.example/introductions",
    "unknown scheme": f"mysql://app:{PASSWORD}@127.0.0.1:3306/introductions",
    "missing folder": "sqlite:///no/such/folder/introductions.db",
    "unreachable": f"postgresql://app:{PASSWORD}@127.0.0.1:1/test?connect_timeout=1",
}
WHAT_IS_WRONG = {
    "not a URL": "not a URL",
    "malformed": "malformed",
    "unclosed bracket": "malformed",
    "unknown scheme": "unknown scheme",
    "missing folder": "does not exist",
    "unreachable": "cannot open the database",
}


@pytest.mark.parametrize("case", list(BAD_URLS))
def test_a_bad_database_url_gives_one_line_naming_the_variable(case: str, tmp_path: Path) -> None:
    result = introductions("demo", database_url=BAD_URLS[case], cwd=tmp_path)

    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "INTRODUCTIONS_DATABASE_URL" in lines[0]
    assert WHAT_IS_WRONG[case] in lines[0]
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing created on the way out
