"""The long-running commands stop on SIGTERM and Ctrl-C whichever of their threads the
kernel hands the signal to. (A worker whose SIGTERM landed on one of its threads slept
on: CI caught it once; `tgkill` makes that landing certain here.)"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.server import free_port
from tests.cli.run import CLI

pytestmark = pytest.mark.processes

COMMANDS = {
    "worker": (lambda: [*CLI, "worker", "--sweep-interval", "3600"], "worker: following"),
    "webhooks": (lambda: [sys.executable, "-m", "webhooks"], "webhook dispatcher started"),
    "serve": (lambda: [*CLI, "serve", "--port", str(free_port())], "Uvicorn running on"),
}


def _started(command: str, tmp_path: Path) -> subprocess.Popen[str]:
    args, ready = COMMANDS[command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTRODUCTIONS_")}
    env["INTRODUCTIONS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'introductions.db'}"
    process = subprocess.Popen(
        args(), env=env, cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:  # ends if the process dies
        seen.append(line)
        if ready in line:
            return process
    process.wait()
    pytest.fail(f"{command} did not start: {''.join(seen)}")


def _other_threads(pid: int) -> list[int]:
    return sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid)


def _signal_thread(pid: int, tid: int, signum: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.tgkill(pid, tid, signum) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tgkill and /proc are Linux's")
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("landing", ["process", "another thread"])
def test_a_stop_signal_stops_the_command(
    command: str, signum: signal.Signals, landing: str, tmp_path: Path
) -> None:
    process = _started(command, tmp_path)
    try:
        if landing == "process":
            process.send_signal(signum)
        else:
            threads = _other_threads(process.pid)
            assert threads, "the command runs its work in threads"
            _signal_thread(process.pid, threads[-1], signum)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if command == "serve":
        # uvicorn ends by raising the signal again once shut down, as the convention is
        assert process.returncode in (0, -signum), output
        assert "Application shutdown complete." in output
    else:
        assert process.returncode == 0, output
    if command == "worker":
        assert "introductions worker: stopped" in output
