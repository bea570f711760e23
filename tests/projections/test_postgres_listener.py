"""The PostgreSQL follower's listener sleeps until a NOTIFY comes, and wakes at once for one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from domain.introduction import ADMIN
from projections.postgres import LISTEN_ROUND
from projections.subscription import subscribe
from storage.bootstrap import open_application
from storage.database import Storage

IDLE_SECONDS = 3.0


def wakes(native_id: int) -> int:
    """How often a thread of this process has gone to sleep and woken since it began."""
    status = Path(f"/proc/self/task/{native_id}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("voluntary_ctxt_switches"))
    return int(line.split()[1])


@pytest.mark.postgres
def test_an_idle_listener_seldom_wakes_and_a_notify_wakes_it_at_once(
    postgres_storage: Storage,
) -> None:
    app = open_application(postgres_storage)
    subscription = subscribe(app.recorder, gt=None)
    try:
        with subscription:
            time.sleep(1.0)  # LISTEN is in place and the first pulls are done
            listener = subscription._listen_thread.native_id  # type: ignore[attr-defined]
            before = wakes(listener)
            time.sleep(IDLE_SECONDS)
            # psycopg's own wait for a NOTIFY wakes every 0.1 s: 30 times here.
            assert wakes(listener) - before < 10
            written = time.monotonic()
            position = app.register_person(ADMIN, "Listener").position
            batch = subscription.next_batch(10)
            assert batch[-1].id == position
            assert time.monotonic() - written < LISTEN_ROUND / 2
    finally:
        app.close()
