"""The processes a benchmark runs against: `introductions serve` (and `worker`) as a
user starts them, and the framework floor, each in its own process on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.config import REPO

ADMIN_TOKEN = "bench-admin-token-" + "z" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from api.cli import main; main()", *args]


def service_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a service process: ours, less any INTRODUCTIONS_ setting but
    the database, the admin token and `settings` (e.g. INTRODUCTIONS_WEBHOOK_...)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTRODUCTIONS_")}
    env.update(
        INTRODUCTIONS_DATABASE_URL=database_url,
        INTRODUCTIONS_ADMIN_TOKEN=ADMIN_TOKEN,
        PYTHONPATH=str(REPO),
        **settings,
    )
    return env


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def wait_until(self, path: str, timeout: float) -> None:
        """Until GET `path` answers 200 (a service catching up answers 503 until then)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise SystemExit(f"{self.log.stem} exited:\n{self.output()[-3000:]}")
            try:
                if httpx.get(self.url + path, timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.url}{path} not ready in {timeout:.0f} s:\n{self.output()[-3000:]}")


def _start(args: list[str], env: dict[str, str], log: Path, url: str = "") -> Process:
    popen = subprocess.Popen(
        args, cwd=log.parent, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    return Process(popen, log, url)


@contextmanager
def running(*processes: Process) -> Iterator[None]:
    try:
        yield
    finally:
        for process in reversed(processes):
            process.stop()


def serve(
    database_url: str,
    folder: Path,
    workers: int = 1,
    name: str = "serve",
    settings: dict[str, str] | None = None,
    *,
    unsealed: bool = False,
) -> Process:
    """`unsealed`: one process with personal data written plain (bench/unsealed.py)."""
    port = free_port()
    args = ["serve", "--port", str(port), "--log-level", "warning"]
    if unsealed:
        assert workers == 1, "bench.unsealed runs one process"
        args = [sys.executable, "-m", "bench.unsealed", *args]
    else:
        args = cli(*args, "--workers", str(workers))
    url = f"http://127.0.0.1:{port}"
    env = service_env(database_url, **(settings or {}))
    return _start(args, env, folder / f"{name}.log", url)


def worker(
    database_url: str, folder: Path, name: str = "worker", settings: dict[str, str] | None = None
) -> Process:
    env = service_env(database_url, **(settings or {}))
    return _start(cli("worker"), env, folder / f"{name}.log")


def framework_floor(folder: Path, *, cached: bool = True) -> Process:
    port = free_port()
    args = [sys.executable, "-m", "bench.framework_floor", str(port)]
    args += [] if cached else ["--cacheless"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    log = folder / ("framework-floor.log" if cached else "framework-floor-cacheless.log")
    return _start(args, env, log, f"http://127.0.0.1:{port}")


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB: what it holds now, and its peak."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]
