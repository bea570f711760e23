"""The real service: `introductions serve` in a subprocess (uvicorn, real HTTP and
websockets), on a SQLite file (projections inside serve) and on PostgreSQL (two serve
workers and an `introductions worker` beside them)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bench.server import cli, free_port

ADMIN_TOKEN = "e2e-admin-token-" + "y" * 32
REPO = Path(__file__).parents[2]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start(
    args: list[str], env: dict[str, str], log: Path, port: int | None = None
) -> subprocess.Popen[bytes]:
    del port
    return subprocess.Popen(
        args, cwd=log.parent, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def wait_healthy(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"serve exited with {server.process.returncode}:\n{server.output()}")
        try:
            if httpx.get(server.url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"serve did not become healthy in {timeout}s:\n{server.output()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTRODUCTIONS_")}
    env.update(
        INTRODUCTIONS_DATABASE_URL=database_url,
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    processes: list[subprocess.Popen[bytes]] = []
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'introductions.db'}"
        args = cli("serve", "--port", str(port))
    else:
        url = request.getfixturevalue("postgres_url")
        args = cli("serve", "--port", str(port), "--workers", "2")
        worker_log = tmp_path / "worker.log"
        env = service_env(url)
        processes.append(start(cli("worker", "--sweep-interval", "1"), env, worker_log))
    env = service_env(url, INTRODUCTIONS_ADMIN_TOKEN=ADMIN_TOKEN)
    log = tmp_path / "serve.log"
    process = start(args, env, log)
    processes.append(process)
    srv = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_healthy(srv)
        yield srv
    finally:
        for p in reversed(processes):
            stop(p)
        output = srv.output()
        assert "Traceback" not in output or "CancelledError" in output, output
        assert ADMIN_TOKEN not in output


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@contextmanager
def serving(tmp_path: Path, database_url: str, *args: str, **env: str) -> Iterator[Server]:
    """`introductions serve` with these arguments and environment, healthy, then stopped."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    process = start(cli("serve", "--port", str(port), *args), service_env(database_url, **env), log)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_healthy(server, timeout=90)  # several workers start slowly on a busy machine
        yield server
    finally:
        stop(process)
