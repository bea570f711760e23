"""The background lease's failover, with real processes: two `worker` processes on one
database, the holder SIGKILLed, and an event written at once is projected by the other
within TAKEOVER_BOUND_SECONDS, kill after kill (a fresh standby each time); the lock
itself passes at once, not at a standby's next try."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

from domain.introduction import ADMIN
from projections.read_models import ReadModels
from storage.bootstrap import open_application
from storage.database import parse_database_url
from storage.lease import Lease, lease_for
from storage.leased_work import TAKEOVER_BOUND_SECONDS
from tests.e2e.conftest import cli, service_env, start, stop

KILLS = 4
# From the kill to the standby's start of its work: the kernel or the server hands the
# lock to its waiter; a standby that tried once a second would take half a second on
# average, and longer than this in three tries of five. All kills but one must hand over
# this fast (a poller passes that one time in five): on a loaded host one handover can
# take longer, and the bound above still holds for it.
HANDOVER_SECONDS = 0.4
TOOK = re.compile(r"^(\S+ \S+) INFO took the background lease .*\(started in ([\d.]+) s\)", re.M)


def start_worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    return start(cli("worker"), service_env(url), log)


def wait_for_line(log: Path, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while text not in (log.read_text(errors="replace") if log.exists() else ""):
        if time.monotonic() > deadline:
            pytest.fail(f"{log.name} never said {text!r}:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)


def wait_until_waiting(lease: Lease, pid: int) -> None:
    """Until `pid` waits for the lease's lock, having started and prepared its work."""
    deadline = time.monotonic() + 120
    while pid not in {w.pid for w in lease.waiting()}:
        assert time.monotonic() < deadline, f"{pid} never waited for the lease"
        time.sleep(0.05)


def began_taking_over(log: Path) -> float:
    """When the new holder began its work: its log's time, less the start it reports
    (the log's clock: local time, to the millisecond)."""
    found = TOOK.search(log.read_text(errors="replace"))
    assert found is not None, log.read_text(errors="replace")
    logged = datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return logged - float(found[2])


@pytest.mark.slow
@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_standby_takes_over_a_killed_holder_within_the_bound(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        request.getfixturevalue("postgres_url")
        if database == "postgres"
        else f"sqlite:///{tmp_path / 'introductions.db'}"
    )
    storage = parse_database_url(url)
    logs = [tmp_path / f"worker-{n}.log" for n in range(KILLS + 1)]
    holder = start_worker(url, logs[0])
    processes = [holder]
    seconds: list[float] = []
    handovers: list[float] = []
    try:
        wait_for_line(logs[0], "took the background lease")
        app, views = open_application(storage), ReadModels(storage)
        lease = lease_for(storage)
        try:
            for n in range(1, KILLS + 1):
                standby = start_worker(url, logs[n])
                processes.append(standby)
                wait_until_waiting(lease, standby.pid)
                holder.send_signal(signal.SIGKILL)
                killed, killed_at = time.monotonic(), time.time()
                position = app.register_person(ADMIN, f"After kill {n}").position
                while views.position() < position:
                    assert time.monotonic() - killed < 30, logs[n].read_text()
                    time.sleep(0.01)
                seconds.append(time.monotonic() - killed)
                holder.wait()
                wait_for_line(logs[n], "took the background lease")
                handovers.append(began_taking_over(logs[n]) - killed_at)
                holder = standby
        finally:
            lease.release()
            views.close()
            app.close()
    finally:
        for process in processes:
            stop(process)
    measured = f"to projected: {seconds}; handovers: {handovers}"
    assert all(s < TAKEOVER_BOUND_SECONDS for s in seconds), measured
    assert sum(h < HANDOVER_SECONDS for h in handovers) >= KILLS - 1, measured
    for log in logs:
        assert "Traceback" not in log.read_text(errors="replace")
