"""Introduction.ReplyRecorded is at class_version 2; version 1 had no `message`. Events
stored by the v1 writer must still load, with message None."""

from __future__ import annotations

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.application import IntroductionsApp
from domain.chain import chain_digest, event_data
from domain.introduction import Introduction
from domain.personal import plain
from tests.application.journeys import People, consented
from tests.conftest import FakeClock


def write_v1_reply(app: IntroductionsApp, introduction: Introduction, actor_id: str) -> None:
    """Store a ReplyRecorded exactly as the v1 writer did: no message, no class_version."""
    at = app.clock()
    version = introduction.version + 1
    v1_state = {"timestamp": at, "actor_id": actor_id}
    v1_state["chain_hash"] = chain_digest(
        introduction.chain_head,
        introduction.id,
        "ReplyRecorded",
        version,
        at,
        actor_id,
        event_data(v1_state),
    )
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=introduction.id,
                originator_version=version,
                topic=get_topic(Introduction.ReplyRecorded),
                state=app.mapper.transcoder.encode(v1_state),
            )
        ]
    )


def test_a_v1_reply_loads_with_no_message(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id = consented(app, people)
    clock.advance(hours=1)
    write_v1_reply(app, app.get_introduction(introduction_id), people.requester)

    introduction = app.get_introduction(introduction_id)
    history = app.history(introduction_id)

    assert introduction.status.value == "REPLIED"
    assert (introduction.version, introduction.replies) == (4, 1)
    assert introduction.replied_by == [people.requester]
    assert history[-1].type == "ReplyRecorded"
    assert history[-1].data == {"message": None}
    assert history[-1].actor_id == people.requester
    past = app.introduction_at(introduction_id, version=4)
    assert past is not None
    assert past.status.value == "REPLIED"


def test_the_introduction_goes_on_after_a_v1_reply(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id = consented(app, people)
    write_v1_reply(app, app.get_introduction(introduction_id), people.requester)
    v1_hash = app.history(introduction_id)[-1].chain_hash

    clock.advance(hours=1)
    app.record_reply(people.target, introduction_id, "Glad to hear from you, Jim.")
    app.record_relationship_formed(people.introducer, introduction_id)

    history = app.history(introduction_id)
    assert [e.type for e in history][-3:] == [
        "ReplyRecorded",
        "ReplyRecorded",
        "RelationshipFormed",
    ]
    assert history[4].data == {"message": "Glad to hear from you, Jim."}
    reply = history[4]
    stored = {"message": next(iter(app.events.get(introduction_id, gt=4, lte=5))).message}
    assert reply.chain_hash == chain_digest(  # over the message as stored: sealed
        v1_hash, introduction_id, "ReplyRecorded", 5, reply.occurred_at, people.target, stored
    )


def test_new_replies_are_stored_as_version_2(app: IntroductionsApp, people: People) -> None:
    introduction_id = consented(app, people)
    app.record_reply(people.requester, introduction_id, "hello")
    [stored] = app.recorder.select_events(introduction_id, gt=3)
    state = app.mapper.transcoder.decode(stored.state)
    assert state["class_version"] == 2
    assert plain(state["message"]) == "hello"
