"""What the figures were measured on: they mean little without the machine, the
versions and how busy the machine was."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib.metadata import version

from bench.config import REPO


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo").read().splitlines():  # noqa: SIM115
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gib() -> float:
    try:
        for line in open("/proc/meminfo").read().splitlines():  # noqa: SIM115
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def postgres_version(url: str | None) -> str:
    if not url:
        return "not used"
    try:
        import psycopg

        with psycopg.connect(url.split("?", 1)[0], connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return f"{row[0] if row else '?'} (127.0.0.1)"
    except Exception as e:  # a missing server is reported, not fatal here
        return f"unreachable ({type(e).__name__})"


def code_version() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain", "--", ".") else "")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def describe(postgres_url: str | None) -> list[str]:
    return [
        f"Machine: {os.cpu_count()} CPUs ({cpu_model()}), {memory_gib():.1f} GiB memory",
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {postgres_version(postgres_url)}",
        f"eventsourcing {version('eventsourcing')}, strawberry-graphql "
        f"{version('strawberry-graphql')}, FastAPI {version('fastapi')}, "
        f"uvicorn {version('uvicorn')}, wrk as the load generator",
        f"Code: commit {code_version()}",
        f"Load average (1 / 5 / 15 min) before: {load()}",
    ]
