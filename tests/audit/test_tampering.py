"""`introductions verify` run as a subprocess against a log edited by plain SQL: each
edit is found, named by aggregate id, and makes the command exit non-zero."""

from __future__ import annotations

import subprocess
from uuid import UUID

import pytest

from api.commands.story import record_seed_story
from storage.bootstrap import open_application
from storage.database import Storage
from tests.audit.helpers import run_cli
from tests.audit.tamper import Tamperer, tamperer_for
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.processes


@pytest.fixture
def seeded(storage: Storage) -> tuple[Storage, dict[str, str], Tamperer]:
    app = open_application(storage)
    try:
        ids = record_seed_story(app)
    finally:
        app.close()
    return storage, ids, tamperer_for(storage, POSTGRES_URL)


def assert_found(result: subprocess.CompletedProcess[str], aggregate_id: str, why: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert aggregate_id in result.stdout
    assert why in result.stdout


def test_an_untouched_log_verifies(seeded: tuple[Storage, dict[str, str], Tamperer]) -> None:
    storage, ids, _ = seeded
    result = run_cli(storage, "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every chain holds" in result.stdout
    assert "18 events" in result.stdout
    one = run_cli(storage, "verify", "--id", ids["burned"])
    assert one.returncode == 0, one.stdout + one.stderr
    assert "5 events" in one.stdout


def test_a_flipped_byte_is_found(seeded: tuple[Storage, dict[str, str], Tamperer]) -> None:
    storage, ids, tamper = seeded
    burned = UUID(ids["burned"])
    tamper.set_state(burned, 4, flip_in_ciphertext(tamper.state(burned, 4)))
    assert_found(run_cli(storage, "verify"), ids["burned"], "hash does not match")
    assert_found(run_cli(storage, "verify", "--id", ids["burned"]), ids["burned"], "version 4")


def test_a_flipped_byte_is_found_after_the_person_is_forgotten(
    seeded: tuple[Storage, dict[str, str], Tamperer],
) -> None:
    storage, ids, tamper = seeded
    forgotten = run_cli(storage, "forget", ids["jim"])
    assert forgotten.returncode == 0, forgotten.stdout + forgotten.stderr
    assert run_cli(storage, "verify").returncode == 0  # erasure breaks no chain
    burned = UUID(ids["burned"])
    tamper.set_state(burned, 5, flip_in_ciphertext(tamper.state(burned, 5)))
    assert_found(run_cli(storage, "verify"), ids["burned"], "hash does not match")
    assert_found(run_cli(storage, "verify", "--id", ids["burned"]), ids["burned"], "version 5")


def flip_in_ciphertext(stored: bytes) -> bytes:
    """The state with one character of its sealed field's ciphertext changed (base64 for
    base64: still valid JSON, a different ciphertext)."""
    state = bytearray(stored)
    start = state.index(b"sealed1:")
    at = state.index(b'"', start) - 3  # inside the token, before any "=" padding
    at -= 2 if state[at] == ord("=") else 0
    state[at] = ord("B") if state[at] != ord("B") else ord("C")
    return bytes(state)


def test_an_undecodable_event_is_a_finding_not_a_crash(
    seeded: tuple[Storage, dict[str, str], Tamperer],
) -> None:
    storage, ids, tamper = seeded
    formed = UUID(ids["formed"])
    state = bytearray(tamper.state(formed, 2))
    state[0] ^= 0xFF  # the opening brace becomes an invalid UTF-8 byte
    tamper.set_state(formed, 2, bytes(state))
    result = run_cli(storage, "verify")
    assert_found(result, ids["formed"], "cannot be decoded")
    assert "Traceback" not in result.stderr


def test_a_deleted_middle_event_is_found(
    seeded: tuple[Storage, dict[str, str], Tamperer],
) -> None:
    storage, ids, tamper = seeded
    tamper.delete(UUID(ids["burned"]), 3)
    result = run_cli(storage, "verify")
    assert_found(result, ids["burned"], "version 3 is missing")
    assert "deleted" in result.stdout


def test_swapped_versions_are_found(seeded: tuple[Storage, dict[str, str], Tamperer]) -> None:
    storage, ids, tamper = seeded
    tamper.swap_versions(UUID(ids["burned"]), 2, 3)
    assert_found(run_cli(storage, "verify"), ids["burned"], "versions swapped")
    # Read by version, the swap shows as a chain that does not hold at version 2.
    assert_found(run_cli(storage, "verify", "--id", ids["burned"]), ids["burned"], "version 2")


def test_a_checkpoint_proves_the_end_was_not_cut(
    seeded: tuple[Storage, dict[str, str], Tamperer],
) -> None:
    storage, _, tamper = seeded
    taken = run_cli(storage, "checkpoint")
    assert taken.returncode == 0, taken.stdout + taken.stderr
    digest = taken.stdout.strip()
    assert digest.startswith("ckpt1-18-")
    assert run_cli(storage, "verify", "--checkpoint", digest).returncode == 0

    tamper.delete_last_in_log()
    # Each chain still holds on its own: only the checkpoint can tell the end is gone.
    assert run_cli(storage, "verify").returncode == 0
    result = run_cli(storage, "verify", "--checkpoint", digest)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Checkpoint does not hold" in result.stdout


def test_events_after_a_checkpoint_keep_it_valid(
    seeded: tuple[Storage, dict[str, str], Tamperer],
) -> None:
    storage, ids, _ = seeded
    digest = run_cli(storage, "checkpoint").stdout.strip()
    app = open_application(storage)
    try:
        app.register_person("admin", "Dana")
        app.propose(ids["jason"], ids["alice"], ids["jim"], context="Both manage projects.")
    finally:
        app.close()
    result = run_cli(storage, "verify", "--checkpoint", digest)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_checkpoint_is_a_usage_error(
    seeded: tuple[Storage, dict[str, str], Tamperer],
) -> None:
    storage, _, _ = seeded
    result = run_cli(storage, "verify", "--checkpoint", "not-a-digest")
    assert result.returncode == 2
    assert "not a checkpoint digest" in result.stderr
