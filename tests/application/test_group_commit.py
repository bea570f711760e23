"""Commands saved at the same moment share one transaction (domain/group_commit.py): each
still gets its own answer, its own log position, and its own conflict if it lost a race."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from domain.application import IntroductionsApp
from domain.errors import ConcurrencyConflict
from domain.group_commit import GroupCommit
from domain.storage import Storage, backend_of
from tests.application.journeys import consented, register_people


def _queued_together(app: IntroductionsApp, commands: list[Callable[[], Any]]) -> list[Any]:
    """Runs the commands in threads while a commit is in progress, so that they queue and
    are then written in one group; returns each one's result or exception."""
    recorder = app.recorder
    assert isinstance(recorder, GroupCommit)
    outcomes: list[Any] = [None] * len(commands)

    def run(i: int) -> None:
        try:
            outcomes[i] = commands[i]()
        except Exception as e:
            outcomes[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(commands))]
    with recorder._commit_lock:  # holds the door so that saves pile up
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while len(recorder._queue) < len(commands):
            assert time.monotonic() < deadline, "the saves never queued"
            time.sleep(0.005)
    for t in threads:
        t.join()
    return outcomes


def test_saves_queued_together_each_get_their_own_position(app: IntroductionsApp) -> None:
    people = [register_people(app, prefix=f"g{i} ") for i in range(6)]
    ids = [consented(app, p) for p in people]
    before = app.recorder.max_notification_id() or 0

    outcomes = _queued_together(
        app,
        [
            lambda p=p, i=i: app.record_reply(p.requester, i, "together")
            for p, i in zip(people, ids, strict=True)
        ],
    )

    positions = [o.position for o in outcomes]
    assert sorted(positions) == list(range(before + 1, before + 7))
    for outcome, introduction_id in zip(outcomes, ids, strict=True):
        (notification,) = app.recorder.select_notifications(start=outcome.position, limit=1)
        assert notification.originator_id == introduction_id
        assert notification.originator_version == outcome.introduction.version == 4


def test_a_lost_race_in_a_group_fails_alone(app: IntroductionsApp) -> None:
    racing, bystander = register_people(app, "race "), register_people(app, "by ")
    contested, other = consented(app, racing), consented(app, bystander)
    before = app.recorder.max_notification_id() or 0

    outcomes = _queued_together(
        app,
        [
            lambda: app.record_reply(racing.requester, contested, "first", expected_version=3),
            lambda: app.record_reply(racing.target, contested, "second", expected_version=3),
            lambda: app.record_reply(bystander.requester, other, "unrelated"),
        ],
    )

    winners = [o for o in outcomes[:2] if not isinstance(o, Exception)]
    losers = [o for o in outcomes[:2] if isinstance(o, ConcurrencyConflict)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert not isinstance(outcomes[2], Exception)
    new = app.recorder.select_notifications(start=before + 1, limit=10)
    assert sorted((n.originator_id, n.originator_version) for n in new) == sorted(
        [(contested, 4), (other, 4)]
    )
    assert [e.type for e in app.history(contested)][-1] == "ReplyRecorded"


def test_the_grouping_recorder_is_still_known_as_its_backend(
    app: IntroductionsApp, module_storage: Storage
) -> None:
    # Batched reads and LISTEN/NOTIFY pick their SQL by backend: a subclass must not hide it.
    assert backend_of(app.recorder) == module_storage.kind
