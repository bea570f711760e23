"""Long introductions are snapshotted every 100 events; loading from a snapshot gives
the same state, chain and history as replaying every event."""

from __future__ import annotations

from domain.application import SNAPSHOT_EVERY, IntroductionsApp
from domain.chain import chain_digest
from storage.bootstrap import open_application
from storage.database import Storage
from tests.application.journeys import People, consented


def test_an_introduction_past_a_snapshot_loads_the_same_and_keeps_chaining(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = consented(app, people)
    while app.get_introduction(introduction_id).version < SNAPSHOT_EVERY + 2:
        app.record_reply(people.requester, introduction_id, "ping")

    assert app.snapshots is not None
    assert list(app.snapshots.get(introduction_id))  # a snapshot was taken

    current = app.get_introduction(introduction_id)
    history = app.history(introduction_id)
    assert current.version == len(history) == SNAPSHOT_EVERY + 2
    assert current.replies == SNAPSHOT_EVERY - 1
    assert current.chain_head == history[-1].chain_hash

    app.record_reply(people.target, introduction_id, "pong")
    newest = app.history(introduction_id)[-1]
    assert newest.chain_hash == chain_digest(
        history[-1].chain_hash,
        introduction_id,
        "ReplyRecorded",
        current.version + 1,
        newest.occurred_at,
        people.target,
        {"message": next(iter(app.events.get(introduction_id, gt=current.version))).message},
    )
    past = app.introduction_at(introduction_id, version=SNAPSHOT_EVERY - 1)
    assert past is not None
    assert past.replies == SNAPSHOT_EVERY - 4


def test_a_process_starting_afresh_loads_from_the_snapshot_what_the_writer_holds(
    app: IntroductionsApp, people: People, module_storage: Storage
) -> None:
    # The snapshot is taken from the saved aggregate in memory, not rebuilt from the
    # store: another process, with nothing cached, must load exactly the same state.
    introduction_id = consented(app, people)
    while app.get_introduction(introduction_id).version < SNAPSHOT_EVERY + 3:
        app.record_reply(people.requester, introduction_id, "ping")
    assert app.snapshots is not None
    (snapshot,) = app.snapshots.get(introduction_id, desc=True, limit=1)
    assert snapshot.originator_version == SNAPSHOT_EVERY

    fresh = open_application(module_storage)
    try:
        loaded = fresh.get_introduction(introduction_id)
        replayed = fresh.introduction_at(introduction_id, version=SNAPSHOT_EVERY + 3)
    finally:
        fresh.close()
    writer = app.get_introduction(introduction_id)
    assert vars(loaded) == vars(writer)
    assert replayed is not None
    assert vars(replayed) == vars(writer)
