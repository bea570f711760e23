"""Opens the application on the configured storage, failing with one clear line."""

from __future__ import annotations

import os
from datetime import timedelta

from eventsourcing.persistence import PersistenceError

from domain.application import DEFAULT_EXPIRE_AFTER, Clock, IntroductionsApp, utc_now
from domain.errors import ConfigurationError
from domain.storage import DATABASE_URL_VARIABLE, Storage, storage_from_environment

EXPIRE_AFTER_VARIABLE = "INTRODUCTIONS_EXPIRE_AFTER_DAYS"


def expire_after_from_environment(environ: dict[str, str] | None = None) -> timedelta:
    environ = dict(os.environ) if environ is None else environ
    raw = environ.get(EXPIRE_AFTER_VARIABLE)
    if not raw:
        return DEFAULT_EXPIRE_AFTER
    try:
        days = float(raw)
    except ValueError:
        days = -1.0
    if not days > 0:
        msg = f"{EXPIRE_AFTER_VARIABLE}={raw!r} must be a positive number of days"
        raise ConfigurationError(msg)
    return timedelta(days=days)


def open_application(
    storage: Storage | None = None,
    *,
    clock: Clock = utc_now,
    expire_after: timedelta | None = None,
) -> IntroductionsApp:
    storage = storage or storage_from_environment()
    try:
        return IntroductionsApp(
            env=storage.env,
            clock=clock,
            expire_after=expire_after or expire_after_from_environment(),
        )
    except (PersistenceError, OSError) as e:
        reason = " ".join(str(e).split()) or type(e).__name__
        msg = f"{DATABASE_URL_VARIABLE}={storage.display!r}: cannot open the database: {reason}"
        raise ConfigurationError(msg) from None
