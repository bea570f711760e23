"""When the database cannot be reached, the API says so at once with a retryable error
(extensions.code UNAVAILABLE and retryAfterSeconds; HTTP 503 with Retry-After) instead
of hanging or answering "Unexpected error".

eventsourcing retries a failed database call ten times, each waiting up to the pool's
timeout for a connection: during a PostgreSQL outage one request would hang for most of
a minute. A breaker on the connection pools ends the call at the first timeout with an
error eventsourcing does not retry, and for BREAK_SECONDS after it refuses at once; then
one call at a time tries the pool again, waiting at most TRY_SECONDS, while the others
are still refused at once. The pool reconnects by itself in the background once the
server is back, so a short try finds the connection as soon as a long one would; a try
that waited out the pool's whole timeout kept its caller for seconds while the server
was still down. Hand-written, not a circuit-breaker package: the trial must shorten the
pool's own timeout, and one breaker must cover every pool of the server."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

UNAVAILABLE = "UNAVAILABLE"
RETRY_AFTER_SECONDS = 5
BREAK_SECONDS = 2.0
TRY_SECONDS = 0.5
MESSAGE = "The database cannot be reached at the moment; retry in a few seconds."


class StorageUnavailable(Exception):  # not the library's OperationalError: not retried
    pass


def guard_storage(*factories: Any) -> None:
    """Puts one breaker on the connection pools of eventsourcing factories that share a
    PostgreSQL server: a timeout on one pool means the server is out of reach for all,
    so none makes its next caller wait to find out again."""
    breaker = Breaker()
    for factory in factories:
        pool = getattr(getattr(factory, "datastore", None), "pool", None)
        if pool is None or not hasattr(pool, "getconn"):
            continue  # SQLite: no pool; a locked database is waited out by its busy timeout
        pool.getconn = breaker.guard(pool.getconn)


class Breaker:
    def __init__(self) -> None:
        self.refuse_until = 0.0  # 0 while the database answers
        # After a break, one caller tries while the others are refused at once: all
        # trying meant each waiting out the pool's timeout, for most of an outage.
        self.trying = threading.Lock()

    def guard(self, getconn: Callable[..., Any]) -> Callable[..., Any]:
        from psycopg_pool import PoolTimeout

        def attempt(timeout: float | None) -> Any:
            try:
                return getconn(timeout)
            except PoolTimeout as e:
                self.refuse_until = time.monotonic() + BREAK_SECONDS
                raise StorageUnavailable(MESSAGE) from e

        def guarded(timeout: float | None = None) -> Any:
            if not self.refuse_until:
                return attempt(timeout)
            if time.monotonic() < self.refuse_until or not self.trying.acquire(blocking=False):
                raise StorageUnavailable(MESSAGE)
            try:
                connection = attempt(TRY_SECONDS if timeout is None else min(timeout, TRY_SECONDS))
                self.refuse_until = 0.0
                return connection
            finally:
                self.trying.release()

        return guarded


def is_unavailable(error: BaseException | None) -> bool:
    """True for the database being out of reach or busy, wherever in the error's causes."""
    psycopg = sys.modules.get("psycopg")  # loaded only on PostgreSQL
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, StorageUnavailable):
            return True
        if psycopg is not None and isinstance(error, psycopg.OperationalError):
            return True
        if isinstance(error, sqlite3.OperationalError) and (
            "locked" in str(error) or "busy" in str(error)
        ):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def extensions() -> dict[str, object]:
    return {"code": UNAVAILABLE, "retryAfterSeconds": RETRY_AFTER_SECONDS}


def headers() -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}


async def unavailable_response(_request: Request, _error: Exception) -> JSONResponse:
    """For a failure before GraphQL runs (the caller's token could not be looked up)."""
    body = {"data": None, "errors": [{"message": MESSAGE, "extensions": extensions()}]}
    return JSONResponse(body, status_code=503, headers=headers())
