"""`serve --workers 2`: each idle process wakes as seldom as a one-process `serve`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Server, cli, free_port, service_env, start, stop, wait_healthy

IDLE_SECONDS = 3.0


def wakes(pid: int) -> int:
    """How often a process's main thread has gone to sleep and woken since it began."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("voluntary_ctxt_switches"))
    return int(line.split()[1])


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.slow
def test_each_idle_process_of_serve_workers_2_seldom_wakes(tmp_path: Path) -> None:
    port = free_port()
    env = service_env(f"sqlite:///{tmp_path / 'introductions.db'}")
    log = tmp_path / "serve.log"
    process = start(cli("serve", "--port", str(port), "--workers", "2"), env, log)
    try:
        wait_healthy(Server(f"http://127.0.0.1:{port}", process, log), timeout=180)
        time.sleep(1.0)
        servers = [p for p in children(process.pid) if b"spawn_main" in cmdline(p)]
        before = {pid: wakes(pid) for pid in servers}
        time.sleep(IDLE_SECONDS)
        woken = {pid: wakes(pid) - before[pid] for pid in servers}
    finally:
        stop(process)
    # uvicorn's own server looks at its exit flag ten times a second: 30 wakes here.
    assert len(woken) == 2
    assert all(n < 15 for n in woken.values()), woken
