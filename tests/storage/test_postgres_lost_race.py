"""A save that loses a race on PostgreSQL fails with the conflict, and leaves its
connection fit for the next save: the first event of a new aggregate also stores the
aggregate's key (storage/personal_keys.py), in the same transaction, after the events."""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from storage.bootstrap import open_application
from storage.database import parse_database_url
from storage.personal_keys import AesGcmKeyring
from storage.postgres import PostgresLogRecorder

pytestmark = pytest.mark.postgres


def _first_event(aggregate_id: uuid.UUID) -> StoredEvent:
    return StoredEvent(aggregate_id, 1, "tests:Created", b"{}")


def test_a_lost_race_raises_the_conflict_and_the_next_save_lands(postgres_url: str) -> None:
    # One connection, so that every save after a lost race runs on the one that lost it.
    app = open_application(parse_database_url(postgres_url + "&pool_size=1&max_overflow=0"))
    recorder = app.recorder
    assert isinstance(recorder, PostgresLogRecorder)
    keyring = recorder.keyring
    assert isinstance(keyring, AesGcmKeyring)
    try:
        for _ in range(40):
            aggregate_id = uuid.uuid4()
            keyring.seal(str(aggregate_id), "a name", holders=[str(uuid.uuid4())])
            assert recorder.insert_events([_first_event(aggregate_id)])
            with pytest.raises(IntegrityError):
                recorder.insert_events([_first_event(aggregate_id)])  # the lost race
            assert recorder.insert_events([_first_event(uuid.uuid4())])
    finally:
        app.close()
