"""Shared by the audit tests: an application whose clock ticks a minute per reading,
so every event of the seed story has its own time; the CLI run as a subprocess."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

from bench.server import cli
from domain.application import IntroductionsApp
from storage.bootstrap import open_application
from storage.database import DATABASE_URL_VARIABLE, Storage
from tests.conftest import FakeClock

REPO = Path(__file__).resolve().parents[2]


def ticking_app(storage: Storage, clock: FakeClock) -> IntroductionsApp:
    def tick() -> datetime:
        return clock.advance(minutes=1)

    return open_application(storage, clock=tick)


def run_cli(storage: Storage, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, DATABASE_URL_VARIABLE: storage.url}
    return subprocess.run(
        cli(*args),
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
