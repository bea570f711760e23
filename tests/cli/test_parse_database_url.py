"""INTRODUCTIONS_DATABASE_URL to storage settings, in-process: what each URL becomes,
and the one-line error for each kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.errors import ConfigurationError
from storage.database import parse_database_url, redact


def test_a_sqlite_url_names_the_file(tmp_path: Path) -> None:
    storage = parse_database_url(f"sqlite:///{tmp_path}/introductions.db")
    assert storage.kind == "sqlite"
    assert storage.sqlite_path == f"{tmp_path}/introductions.db"


def test_a_postgresql_url_gives_every_connection_setting() -> None:
    storage = parse_database_url(
        "postgresql://app:p%40ss@db.example:6543/intro?schema=s1&connect_timeout=2"
    )
    assert storage.kind == "postgres"
    assert (
        storage.env.items()
        >= {
            "POSTGRES_HOST": "db.example",
            "POSTGRES_PORT": "6543",
            "POSTGRES_DBNAME": "intro",
            "POSTGRES_USER": "app",
            "POSTGRES_PASSWORD": "p@ss",
            "POSTGRES_SCHEMA": "s1",
            "POSTGRES_CONNECT_TIMEOUT": "2",
        }.items()
    )
    assert storage.display == (
        "postgresql://app:***@db.example:6543/intro?schema=s1&connect_timeout=2"
    )


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("sqlite://introductions.db", "three slashes"),
        ("sqlite:///", "names no file"),
        ("postgresql://app:pw@127.0.0.1:5432/", "host and a database name"),
        ("postgresql://app:pw@/introductions", "host and a database name"),
        ("postgresql://app:pw@db:99999/introductions", "malformed"),
        ("postgres://app:pw@[db/introductions", "malformed"),
        ("oracle://app:pw@db/introductions", "unknown scheme"),
        ("", "not a URL"),
    ],
)
def test_each_mistake_is_one_line_naming_the_variable(url: str, what: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_database_url(url)
    message = str(raised.value)
    assert message.startswith("INTRODUCTIONS_DATABASE_URL=")
    assert what in message
    assert "\n" not in message
    assert ":pw@" not in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:pw@db:5432/x",
        "postgresql://app:pw@[db/x",
        "postgresql://app:pw@db:port/x",
        "mysql://app:pw@db/x",
    ],
)
def test_redaction_hides_the_password_even_in_a_malformed_url(url: str) -> None:
    shown = redact(url)
    assert "pw" not in shown
    assert "app:***@" in shown
