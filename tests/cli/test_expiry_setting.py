"""INTRODUCTIONS_EXPIRE_AFTER_DAYS: a positive number of days (14 when unset); anything
else stops the command with one line naming the variable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from domain.errors import ConfigurationError
from storage.bootstrap import expire_after_from_environment
from tests.cli.run import introductions

VARIABLE = "INTRODUCTIONS_EXPIRE_AFTER_DAYS"


@pytest.mark.parametrize(
    ("raw", "period"),
    [
        (None, timedelta(days=14)),
        ("", timedelta(days=14)),
        ("3", timedelta(days=3)),
        ("0.5", timedelta(hours=12)),
        ("36500", timedelta(days=36_500)),
    ],
)
def test_a_positive_number_of_days_sets_the_period(raw: str | None, period: timedelta) -> None:
    environ = {} if raw is None else {VARIABLE: raw}
    assert expire_after_from_environment(environ) == period


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "nan", "inf", "1e10", "36501", "14 days"])
def test_anything_else_is_a_one_line_configuration_error(raw: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        expire_after_from_environment({VARIABLE: raw})
    assert str(raised.value).startswith(f"{VARIABLE}={raw!r} ")
    assert "\n" not in str(raised.value)


@pytest.mark.processes
def test_the_command_stops_with_that_line(tmp_path: Path) -> None:
    result = introductions(
        "demo",
        database_url=f"sqlite:///{tmp_path / 'introductions.db'}",
        cwd=tmp_path,
        environment={VARIABLE: "inf"},
    )
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        f"introductions: {VARIABLE}='inf' must be a positive number of days, at most 36500"
    ]
