"""Several processes write one SQLite file at once: two `serve` processes (each with its
projections inside) under racing clients, and `introductions demo` runs beside them.
"database is locked" never reaches anyone: no client gets an unexpected error, no log
has a traceback, every CLI run succeeds, and the log and projections end consistent."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from storage.database import Storage
from tests.e2e.conftest import cli
from tests.reliability.checks import (
    assert_chains_verify,
    assert_every_acknowledged_event_logged,
    assert_projections_equal_a_rebuild,
)
from tests.reliability.conftest import Serve, load_seconds
from tests.reliability.workload import EXPECTED_REFUSALS, Ledger, cast, race

CLIENTS = 8
DEMO_RUNS = 3


def test_several_writer_processes_never_show_a_lock(
    sqlite_database: Storage, tmp_path: Path
) -> None:
    serves = [Serve(sqlite_database.url, tmp_path / f"serve{n}") for n in range(2)]
    for s in serves:
        s.workdir.mkdir()
        s.start()
    try:
        admin = serves[0].gql()
        ledger = Ledger()
        slots = cast(admin, 20, ledger)

        def demo_runs() -> list[subprocess.CompletedProcess[str]]:
            return [
                subprocess.run(
                    cli("demo"),
                    cwd=tmp_path,
                    env=serves[0].env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
                for _ in range(DEMO_RUNS)
            ]

        with ThreadPoolExecutor(1) as pool:
            demos = pool.submit(demo_runs)
            race(lambda n: serves[n % 2].gql(admin), slots, ledger, CLIENTS, load_seconds(15))
            for run in demos.result():
                assert run.returncode == 0, run.stdout + run.stderr
        serves[1].wait_ready()
        logs = [s.stop() for s in serves]
    finally:
        for s in serves:
            if s.server is not None:
                s.stop()

    assert ledger.unexpected == []
    assert set(ledger.refusals) <= EXPECTED_REFUSALS, ledger.refusals
    for log in logs:
        assert "Traceback" not in log, log
        assert "locked" not in log, log
    assert_every_acknowledged_event_logged(sqlite_database, ledger, all_answered=True)
    assert_chains_verify(sqlite_database)
    assert_projections_equal_a_rebuild(sqlite_database)
