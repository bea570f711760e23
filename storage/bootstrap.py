"""Opens the application on the configured storage, failing with one clear line."""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import timedelta
from typing import Any

from eventsourcing.persistence import (
    IntegrityError,
    InternalError,
    PersistenceError,
    ProgrammingError,
)

from config import Settings
from domain.application import Clock, IntroductionsApp, utc_now
from domain.errors import ConfigurationError
from storage.database import DATABASE_URL_VARIABLE, Storage, storage_from_environment, use_wal
from storage.personal_keys import AesGcmKeyring

OPEN_ATTEMPTS = 5


def expire_after_from_environment(environ: dict[str, str] | None = None) -> timedelta:
    return timedelta(days=Settings.read(environ).expire_after_days)


def open_application(
    storage: Storage | None = None,
    *,
    clock: Clock = utc_now,
    expire_after: timedelta | None = None,
) -> IntroductionsApp:
    storage = storage or storage_from_environment()
    expire_after = expire_after or expire_after_from_environment()
    try:
        use_wal(storage)
    except sqlite3.Error as e:
        raise _cannot_open(storage, e) from None
    for attempt in range(1, OPEN_ATTEMPTS + 1):
        try:
            return with_keyring(
                IntroductionsApp(env=storage.env, clock=clock, expire_after=expire_after)
            )
        except PersistenceError as e:
            if attempt == OPEN_ATTEMPTS or not _racing_to_create_tables(e):
                raise _cannot_open(storage, e) from None
            time.sleep(random.uniform(0.05, 0.2) * attempt)  # noqa: S311
        except OSError as e:
            raise _cannot_open(storage, e) from None
    raise AssertionError  # unreachable: the last attempt returns or raises


def with_keyring(app: IntroductionsApp) -> IntroductionsApp:
    """Seals personal data under the keys in the application's own database."""
    recorder: Any = app.recorder
    if hasattr(recorder, "read_secret"):
        app.keyring = recorder.keyring = AesGcmKeyring(recorder.read_secret)
    return app


def _racing_to_create_tables(e: PersistenceError) -> bool:
    """Processes starting together all create the tables, and PostgreSQL refuses some of
    that DDL when it runs at the same moment: concurrent CREATE OR REPLACE FUNCTION
    ("tuple concurrently updated"), CREATE TABLE IF NOT EXISTS ("relation ... already
    exists", or a duplicate pg_type row). The other process has created them: open again."""
    if isinstance(e, IntegrityError | InternalError):
        return True
    return isinstance(e, ProgrammingError) and "already exists" in str(e)


def _cannot_open(storage: Storage, e: Exception) -> ConfigurationError:
    reason = " ".join(str(e).split()) or type(e).__name__
    msg = f"{DATABASE_URL_VARIABLE}={storage.display!r}: cannot open the database: {reason}"
    return ConfigurationError(msg)
