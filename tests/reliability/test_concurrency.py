"""16 clients race commands on 50 introductions through real HTTP (`serve` on SQLite; two
API processes and a worker on PostgreSQL):
no acknowledged event is lost or told twice, every refusal is one a racing client should
expect (CONCURRENCY_CONFLICT above all), and the projections equal a rebuild afterwards."""

from __future__ import annotations

from tests.reliability.checks import (
    assert_chains_verify,
    assert_every_acknowledged_event_logged,
    assert_projections_equal_a_rebuild,
)
from tests.reliability.conftest import Serve, load_seconds
from tests.reliability.workload import EXPECTED_REFUSALS, Ledger, cast, race

CLIENTS = 16
INTRODUCTIONS = 50


def test_racing_clients_lose_no_update(any_serve: Serve) -> None:
    serve = any_serve
    serve.start()
    admin = serve.gql()
    ledger = Ledger()
    slots = cast(admin, INTRODUCTIONS, ledger)

    race(lambda _: serve.gql(admin), slots, ledger, CLIENTS, load_seconds(20))
    serve.wait_ready()
    log = serve.stop()

    assert ledger.unexpected == []
    assert ledger.refusals["CONCURRENCY_CONFLICT"] > 0, ledger.refusals
    assert set(ledger.refusals) <= EXPECTED_REFUSALS, ledger.refusals
    assert "Traceback" not in log, log
    storage = serve.storage
    assert_every_acknowledged_event_logged(storage, ledger, all_answered=True)
    assert_chains_verify(storage)
    assert_projections_equal_a_rebuild(storage)
