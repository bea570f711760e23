"""Crash safety: a worker process SIGKILLed again and again while catching up on a long
log ends with views equal, row for row, to views rebuilt from scratch."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.seed import append_history
from projections.read_models import ReadModels
from projections.rebuild import rebuild
from storage.bootstrap import open_application
from storage.database import Storage
from tests.conftest import FakeClock
from tests.projections.helpers import dump

EVENTS = 20_000
KILLS = 4


def _start_worker(storage: Storage) -> subprocess.Popen[bytes]:
    script = Path(sys.executable).with_name("introductions")
    env = {**os.environ, "INTRODUCTIONS_DATABASE_URL": storage.url}
    return subprocess.Popen(
        [str(script), "worker", "--sweep-interval", "3600"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
@pytest.mark.reliability
def test_sigkilled_worker_ends_equal_to_a_rebuild(storage: Storage, clock: FakeClock) -> None:
    app = open_application(storage, clock=clock)
    try:
        append_history(app, EVENTS, end=clock())
        end = app.recorder.max_notification_id()
    finally:
        app.close()
    assert end >= EVENTS

    read_models = ReadModels(storage, clock=clock)
    rng = random.Random(7)
    try:
        positions = []
        for _ in range(KILLS):
            worker = _start_worker(storage)
            # Kill it once it has made some progress, at a random point of a batch.
            start = read_models.position()
            deadline = time.monotonic() + 30
            while read_models.position() == start and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.15))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            positions.append(read_models.position())
        assert positions[-1] < end, "the kills came after the catch-up: make the log longer"
        assert positions == sorted(positions)

        worker = _start_worker(storage)
        try:
            assert read_models.wait_for(end, timeout=120)
        finally:
            worker.send_signal(signal.SIGTERM)
            _, stderr = worker.communicate(timeout=30)
        assert worker.returncode == 0, stderr.decode()
        followed = dump(read_models, clock())
    finally:
        read_models.close()

    rebuilt = rebuild(storage, clock=clock)
    assert rebuilt.events == end
    read_models = ReadModels(storage, clock=clock)
    try:
        again = dump(read_models, clock())
    finally:
        read_models.close()
    assert followed.keys() == again.keys()
    for table in followed:
        assert followed[table] == again[table], table
    assert len(followed["introduction_list"]) > 3000
