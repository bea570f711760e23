"""Long introductions are snapshotted every 100 events; loading from a snapshot gives
the same state, chain and history as replaying every event."""

from __future__ import annotations

from domain.application import SNAPSHOT_EVERY, IntroductionsApp
from domain.chain import chain_digest
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
        {"message": "pong"},
    )
    past = app.introduction_at(introduction_id, version=SNAPSHOT_EVERY - 1)
    assert past is not None
    assert past.replies == SNAPSHOT_EVERY - 4
