"""The reliability suite: every test here is marked `reliability` (`pytest -m reliability`
also picks up the worker's and the dispatcher's crash tests, which live with their parts).
`INTRODUCTIONS_SOAK_SECONDS` lengthens the timed loads (a minute for the soak)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage.database import Storage, parse_database_url
from tests.api.graphql_client import GraphQL
from tests.e2e.conftest import ADMIN_TOKEN, Server, cli, free_port, service_env, start, stop
from tests.e2e.conftest import wait_healthy as wait_serving
from tests.reliability.own_postgres import OwnPostgres, own_postgres_cluster

SOAK_VARIABLE = "INTRODUCTIONS_SOAK_SECONDS"


def load_seconds(default: float) -> float:
    return float(os.environ.get(SOAK_VARIABLE) or default)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.reliability)


class Serve:
    """`introductions serve` that a test may kill and start again on the same database;
    with `worker`, an `introductions worker` beside it (PostgreSQL deployments)."""

    def __init__(
        self, database_url: str, workdir: Path, *extra_args: str, worker: bool = False, **env: str
    ) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.args = extra_args
        self.env = service_env(database_url, INTRODUCTIONS_ADMIN_TOKEN=ADMIN_TOKEN, **env)
        self.server: Server | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.with_worker = worker
        self.starts = 0

    @property
    def storage(self) -> Storage:
        return parse_database_url(self.database_url)

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def process(self) -> subprocess.Popen[bytes]:
        assert self.server is not None
        return self.server.process

    def start(self) -> Server:
        self.starts += 1
        if self.with_worker and (self.worker is None or self.worker.poll() is not None):
            worker_log = self.workdir / f"worker-{self.starts}.log"
            self.worker = start(cli("worker"), self.env, worker_log)
        port = free_port()
        log = self.workdir / f"serve-{self.starts}.log"
        process = start(cli("serve", "--port", str(port), *self.args), self.env, log)
        self.server = Server(f"http://127.0.0.1:{port}", process, log)
        wait_serving(self.server, timeout=120)  # a loaded 2-CPU machine starts slowly
        return self.server

    def stop(self) -> str:
        """Stops it (and its worker) cleanly; returns its log."""
        assert self.server is not None
        stop(self.server.process)
        if self.worker is not None:
            stop(self.worker)
        return self.server.output()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def wait_ready(self, timeout: float = 60) -> None:
        """Until /readyz says the projections have caught up with the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if httpx.get(self.url + "/readyz", timeout=10).status_code == 200:
                return
            time.sleep(0.2)
        pytest.fail(f"not ready in {timeout}s")

    def gql(self, like: GraphQL | None = None) -> GraphQL:
        """A client with its own connection (and the people's tokens of `like`)."""
        tokens = like.tokens if like is not None else {}
        return GraphQL(httpx.Client(base_url=self.url, timeout=60), ADMIN_TOKEN, tokens)


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Storage:
    return parse_database_url(f"sqlite:///{tmp_path / 'introductions.db'}")


@pytest.fixture
def serve(sqlite_database: Storage, tmp_path: Path) -> Iterator[Serve]:
    service = Serve(sqlite_database.url, tmp_path)
    try:
        yield service
    finally:
        if service.server is not None:
            service.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_serve(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Serve]:
    """On SQLite one `serve`; on PostgreSQL two API processes and a worker."""
    if request.param == "sqlite":
        yield request.getfixturevalue("serve")
        return
    url = request.getfixturevalue("postgres_url")
    service = Serve(url, tmp_path, "--workers", "2", worker=True)
    try:
        yield service
    finally:
        if service.server is not None:
            service.stop()


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    """A PostgreSQL cluster of this test's own, which it may stop and start."""
    yield from own_postgres_cluster()
