"""Which failures the API answers as UNAVAILABLE (retry later) rather than as an
unexpected error: the database out of reach or busy, wherever it is in the causes."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from eventsourcing.persistence import OperationalError, ProgrammingError

from api.outage import StorageUnavailable, is_unavailable


def wrapped(cause: BaseException, outer: BaseException) -> BaseException:
    try:
        raise outer from cause
    except BaseException as e:
        return e


@pytest.mark.parametrize(
    "error",
    [
        StorageUnavailable("no connection"),
        wrapped(sqlite3.OperationalError("database is locked"), OperationalError("locked")),
        wrapped(psycopg.OperationalError("connection refused"), OperationalError("refused")),
        wrapped(StorageUnavailable("x"), RuntimeError("in a resolver")),
    ],
)
def test_an_unreachable_or_busy_database_is_retryable(error: BaseException) -> None:
    assert is_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        None,
        ValueError("a bug"),
        wrapped(sqlite3.OperationalError("no such table: x"), OperationalError("no such table")),
        wrapped(psycopg.ProgrammingError("syntax error"), ProgrammingError("syntax error")),
    ],
)
def test_other_failures_are_not(error: BaseException | None) -> None:
    assert not is_unavailable(error)
