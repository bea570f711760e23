"""The breaker on a PostgreSQL connection pool (api/outage.py), on a real psycopg pool
whose server is down: the first caller waits out the pool's timeout, the next ones are
refused at once, and after the break one caller tries again while the others are still
refused at once."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from api import outage

psycopg_pool = pytest.importorskip("psycopg_pool")

POOL_TIMEOUT = 2.0
AT_ONCE = POOL_TIMEOUT / 2  # far below the pool's wait: a refusal, not a try


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again on leaving: nobody listens there


@pytest.fixture
def pool() -> Iterator[object]:
    conninfo = f"host=127.0.0.1 port={_closed_port()} user=postgres connect_timeout=1"
    pool = psycopg_pool.ConnectionPool(
        conninfo, min_size=0, max_size=2, timeout=POOL_TIMEOUT, open=True
    )
    try:
        yield pool
    finally:
        pool.close()


def _refusal_time(getconn: object) -> float:
    started = time.monotonic()
    with pytest.raises(outage.StorageUnavailable):
        getconn()  # type: ignore[operator]
    return time.monotonic() - started


def test_the_breaker_lets_one_caller_try_after_a_break(
    pool: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outage, "BREAK_SECONDS", 0.5)
    getconn = outage._breaker(pool.getconn)  # type: ignore[attr-defined]

    assert _refusal_time(getconn) >= POOL_TIMEOUT * 0.9  # the first one finds out
    assert _refusal_time(getconn) < AT_ONCE  # during the break

    time.sleep(0.6)  # the break is over: one caller tries the pool again
    trying = threading.Thread(target=_refusal_time, args=(getconn,))
    trying.start()
    time.sleep(0.2)
    try:
        assert _refusal_time(getconn) < AT_ONCE  # while it tries, the others are refused
    finally:
        trying.join()
