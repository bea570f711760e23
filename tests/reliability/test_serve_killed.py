"""`serve` (SQLite, projections inside) SIGKILLed again and again under a write load from
several clients: every mutation that was answered with success is in the log, every hash
chain verifies (nothing half-written), and after a restart the projections equal a
rebuild from the log."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.reliability.checks import (
    assert_chains_verify,
    assert_every_acknowledged_event_logged,
    assert_projections_equal_a_rebuild,
)
from tests.reliability.conftest import Serve
from tests.reliability.workload import Ledger, cast, race

KILLS = 3
CLIENTS = 6
ACKNOWLEDGED_BEFORE_KILL = 40


def test_sigkilled_serve_loses_no_acknowledged_write(serve: Serve) -> None:
    serve.start()
    admin = serve.gql()
    ledger = Ledger()
    slots = cast(admin, 20, ledger)

    background = ThreadPoolExecutor(1)
    for _ in range(KILLS):
        stop = threading.Event()
        load = background.submit(
            race, lambda _: serve.gql(admin), slots, ledger, CLIENTS, 120, stop
        )
        target = len(ledger.acknowledged) + ACKNOWLEDGED_BEFORE_KILL
        deadline = time.monotonic() + 60
        while len(ledger.acknowledged) < target and time.monotonic() < deadline:
            time.sleep(0.05)
        serve.kill()  # mid-load: requests are in flight
        stop.set()
        load.result()
        serve.start()  # on the same file, as an operator would

    serve.wait_ready()
    serve.stop()
    assert ledger.unexpected == []
    assert_every_acknowledged_event_logged(serve.storage, ledger, all_answered=False)
    assert_chains_verify(serve.storage)
    assert_projections_equal_a_rebuild(serve.storage)
