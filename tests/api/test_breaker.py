"""The breaker on PostgreSQL connection pools (api/outage.py), on real psycopg pools whose
server is down: the first caller waits out the pool's timeout, the next ones are refused
at once, on every pool the breaker guards, and after the break one caller tries again,
briefly, while the others are still refused at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from api import outage
from bench.server import free_port

psycopg_pool = pytest.importorskip("psycopg_pool")

POOL_TIMEOUT = 2.0
AT_ONCE = POOL_TIMEOUT / 2  # far below the pool's wait: a refusal, not a try


def _pool_of_a_server_that_is_down() -> Iterator[object]:
    conninfo = f"host=127.0.0.1 port={free_port()} user=postgres connect_timeout=1"
    pool = psycopg_pool.ConnectionPool(
        conninfo, min_size=0, max_size=2, timeout=POOL_TIMEOUT, open=True
    )
    try:
        yield pool
    finally:
        pool.close()


pool = pytest.fixture(_pool_of_a_server_that_is_down, name="pool")
other_pool = pytest.fixture(_pool_of_a_server_that_is_down, name="other_pool")


def _refusal_time(getconn: object) -> float:
    started = time.monotonic()
    with pytest.raises(outage.StorageUnavailable):
        getconn()  # type: ignore[operator]
    return time.monotonic() - started


@pytest.mark.slow
def test_the_breaker_lets_one_caller_try_after_a_break(
    pool: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outage, "BREAK_SECONDS", 0.5)
    getconn = outage.Breaker().guard(pool.getconn)  # type: ignore[attr-defined]

    assert _refusal_time(getconn) >= POOL_TIMEOUT * 0.9  # the first one finds out
    assert _refusal_time(getconn) < AT_ONCE  # during the break

    time.sleep(0.6)  # the break is over: one caller tries the pool again
    tried: list[float] = []
    trying = threading.Thread(target=lambda: tried.append(_refusal_time(getconn)))
    trying.start()
    time.sleep(outage.TRY_SECONDS / 2)
    try:
        assert _refusal_time(getconn) < AT_ONCE  # while it tries, the others are refused
    finally:
        trying.join()
    # The caller who tried was kept for the short try, not the pool's whole timeout.
    (tried_for,) = tried
    assert tried_for < AT_ONCE


@pytest.mark.slow
def test_a_timeout_on_one_pool_breaks_every_pool_of_the_server(
    pool: object, other_pool: object
) -> None:
    breaker = outage.Breaker()  # as serve has one for the log's pool and the views' pool
    log_pool = breaker.guard(pool.getconn)  # type: ignore[attr-defined]
    views_pool = breaker.guard(other_pool.getconn)  # type: ignore[attr-defined]

    assert _refusal_time(log_pool) >= POOL_TIMEOUT * 0.9
    assert _refusal_time(views_pool) < AT_ONCE  # it does not wait to find out again
