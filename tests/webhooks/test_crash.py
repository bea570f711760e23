"""The dispatcher process is SIGKILLed again and again while events are written: after a
last restart every event has reached the receiver at least once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from domain.application import IntroductionsApp
from domain.chain import event_id
from domain.introduction import ADMIN
from storage.database import Storage
from tests.webhooks.conftest import people, propose_and_decline
from tests.webhooks.receiver import Received, Receiver
from webhooks.store import open_store

pytestmark = [pytest.mark.usefixtures("allow_private"), pytest.mark.slow, pytest.mark.reliability]
KILLS = 3


def dispatcher_process(storage: Storage, log: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "INTRODUCTIONS_DATABASE_URL": storage.url,
        "INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE": "1",
        # Claims of a killed dispatcher expire after 2 x timeout + 1 s = 3 s. The schedule
        # is generous so that a loaded machine exhausts no delivery's attempts.
        "INTRODUCTIONS_WEBHOOK_TIMEOUT_SECONDS": "1",
        "INTRODUCTIONS_WEBHOOK_RETRY_SCHEDULE": "50ms,100ms,200ms,500ms,1s,1s,1s,1s,1s,1s,1s,1s",
        "INTRODUCTIONS_WEBHOOK_POLL_SECONDS": "0.02",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "webhooks"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("a"),
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line == "webhook dispatcher started", log.read_text()[-3000:]
    return process


def test_sigkill_loses_no_event(app: IntroductionsApp, storage: Storage, tmp_path: Path) -> None:
    log = tmp_path / "dispatcher.log"

    def slowish(_r: Received, _seen: int) -> tuple[int, dict[str, str]]:
        time.sleep(0.005)  # keeps attempts in flight when the kill comes
        return 200, {}

    receiver = Receiver(slowish)
    writing = threading.Event()
    writing.set()
    rounds = [0]

    def write() -> None:
        trio = people(app)
        while writing.is_set():
            propose_and_decline(app, trio, 1)
            rounds[0] += 1
            time.sleep(0.01)

    writer = threading.Thread(target=write)
    try:
        app.register_webhook(ADMIN, receiver.url)
        writer.start()
        for _ in range(KILLS):
            process = dispatcher_process(storage, log)
            time.sleep(random.uniform(0.1, 0.4))
            process.send_signal(signal.SIGKILL)
            process.wait()
        writing.clear()
        writer.join()

        expected = {
            str(event_id(n.originator_id, n.originator_version))
            for n in app.recorder.select_notifications(start=1, limit=100_000)
            if n.topic.startswith("domain.introduction:")
        }
        assert len(expected) == 2 * rounds[0] > 0
        process = dispatcher_process(storage, log)
        try:
            deadline = time.monotonic() + 30
            while not expected <= receiver.ids() and time.monotonic() < deadline:
                time.sleep(0.05)
            missing = expected - receiver.ids()
            assert not missing, (missing_rows(storage, missing), log.read_text()[-3000:])
        finally:
            process.terminate()
            process.wait(timeout=10)
        assert receiver.ids() == expected
        print(f"{len(expected)} events, {len(receiver.requests)} requests")  # duplicates: kills
    finally:
        writing.clear()
        if writer.is_alive():
            writer.join()
        receiver.stop()


def missing_rows(storage: Storage, missing: set[str]) -> list[object]:
    """What the dispatcher recorded for events that never arrived, to explain a failure."""
    store = open_store(storage)
    try:
        with store.transaction() as tx:
            position = tx.position()
            rows = tx.cursor.all(
                "SELECT event_id, status, attempts, last_error, "
                "next_attempt_at, lease_until FROM webhook_deliveries"
            )
        return [position, len(missing), [r for r in rows if r[0] in missing][:5]]
    finally:
        store.close()
