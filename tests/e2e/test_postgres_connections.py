"""How many PostgreSQL connections an idle `serve` holds (README, "PostgreSQL
connections"): the lease holder and a standby, each counted by its application_name."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from storage.lease import APPLICATION_NAME_PREFIX
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, cli, free_port, service_env, start, stop, wait_healthy

# What an idle process holds, with a margin over the 13 and 5 measured: its pools each
# keep one connection (two where the start used two at once), the holder's followers
# each LISTEN on one, and every process has its lease connection.
HOLDER_AT_MOST, STANDBY_AT_MOST = 16, 7


def connections(name: str, pid: int) -> int:
    """Those of one process: its pools' (libpq names them from PGAPPNAME) and its lease's."""
    lease = f"{APPLICATION_NAME_PREFIX}{pid}@{socket.gethostname()}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name IN (%s, %s)",
            (name, lease),
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.slow
@pytest.mark.postgres
def test_an_idle_serve_holds_few_connections(postgres_url: str, tmp_path: Path) -> None:
    servers = []
    try:
        for n in range(2):  # the first takes the lease, the second stands by
            port = free_port()
            log = tmp_path / f"serve-{n}.log"
            env = service_env(postgres_url, PGAPPNAME=f"{tmp_path.name}-{n}")
            process = start(cli("serve", "--port", str(port)), env, log)
            servers.append(Server(f"http://127.0.0.1:{port}", process, log))
            wait_healthy(servers[-1], timeout=120)
        deadline = time.monotonic() + 60
        for server in servers:
            while httpx.get(server.url + "/readyz", timeout=10).status_code != 200:
                assert time.monotonic() < deadline, server.output()
                time.sleep(0.1)
        time.sleep(2.0)  # idle
        held = [connections(f"{tmp_path.name}-{n}", s.process.pid) for n, s in enumerate(servers)]
        states = [httpx.get(s.url + "/readyz", timeout=10).json()["background"] for s in servers]
    finally:
        for server in servers:
            stop(server.process)
    assert [s["thisProcess"] for s in states] == ["holds the lease", "stands by"]
    print("connections held (holder, standby):", held)
    assert held[0] <= HOLDER_AT_MOST, held
    assert held[1] <= STANDBY_AT_MOST, held
