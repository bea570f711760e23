"""A forgotten person on both databases: webhook consumers receive PersonForgotten (their
cue to erase their copies), and the stored bodies of the deliveries about the person and
their introductions no longer hold the erased text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from api.commands.story import record_seed_story
from domain.application import IntroductionsApp
from domain.commands import ForgetPerson
from domain.introduction import ADMIN
from storage.database import Storage
from tests.webhooks.receiver import Receiver
from webhooks.dispatcher import WebhookDispatcher
from webhooks.store import open_store

pytestmark = pytest.mark.usefixtures("allow_private")

JIMS_MESSAGE = "I am interested in x because of y"


def test_consumers_receive_person_forgotten_and_bodies_are_erased(
    app: IntroductionsApp,
    storage: Storage,
    receiver: Receiver,
    start_dispatcher: Callable[..., WebhookDispatcher],
) -> None:
    app.register_webhook(ADMIN, receiver.url)
    ids = record_seed_story(app)
    start_dispatcher()
    receiver.wait_for(lambda: len(receiver.ids()) >= 10)  # the two stories' events

    app.handle(ADMIN, ForgetPerson(ids["jim"]))

    def forgotten() -> list[dict[str, object]]:
        bodies = [json.loads(r.body) for r in receiver.requests]
        return [b for b in bodies if b["type"] == "PersonForgotten"]

    receiver.wait_for(lambda: bool(forgotten()))
    [event] = forgotten()
    assert event["data"] == {"personId": ids["jim"], "version": 2, "actorId": ADMIN}

    store = open_store(storage)
    try:
        with store.transaction() as tx:
            bodies = [b for (b,) in tx.cursor.all("SELECT body FROM webhook_deliveries")]
    finally:
        store.close()
    assert not [b for b in bodies if JIMS_MESSAGE in b or "Jim manages" in b]
    reply = next(json.loads(b) for b in bodies if ids["burned"] in b and "ReplyRecorded" in b)
    assert reply["data"]["message"] is None
    assert reply["data"]["erased"] is True
    formed = [json.loads(b) for b in bodies if ids["formed"] in b and "RelationshipFormed" in b]
    assert formed[0]["data"]["note"] == "They are building it together."  # not Jim's
    if storage.sqlite_path is not None:  # nor any byte of the old bodies in the file or log
        for path in (Path(storage.sqlite_path), Path(f"{storage.sqlite_path}-wal")):
            content = path.read_bytes() if path.exists() else b""
            assert JIMS_MESSAGE.encode() not in content, path.name
