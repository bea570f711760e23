"""Commands saved at the same moment share one transaction (storage/group_commit.py): each
still gets its own answer, its own log position, and its own conflict if it lost a race."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from domain.application import IntroductionsApp
from domain.errors import BadInput
from domain.pair_index import pair_index_id
from storage.database import Storage, backend_of
from storage.group_commit import GroupCommit
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
    with recorder._turn:  # a commit "in progress" holds the door so that saves pile up
        recorder._committing = True
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(recorder._queue) < len(commands):
        assert time.monotonic() < deadline, "the saves never queued"
        time.sleep(0.005)
    with recorder._turn:
        recorder._committing = False
        recorder._turn.notify_all()
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
    # The same proposal twice at once: both create the pair's index, in one group. The
    # loser is set aside and fails alone; its retry then finds the winner's introduction.
    racing, bystander = register_people(app, "race "), register_people(app, "by ")
    other = consented(app, bystander)
    before = app.recorder.max_notification_id() or 0

    def propose() -> Any:
        return app.propose(racing.introducer, racing.requester, racing.target, "Twice at once.")

    outcomes = _queued_together(
        app, [propose, propose, lambda: app.record_reply(bystander.requester, other, "unrelated")]
    )

    winners = [o for o in outcomes[:2] if not isinstance(o, Exception)]
    losers = [o for o in outcomes[:2] if isinstance(o, BadInput)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert "already have an open introduction" in losers[0].message
    assert not isinstance(outcomes[2], Exception)
    new = app.recorder.select_notifications(start=before + 1, limit=10)
    index = pair_index_id(racing.introducer, racing.requester, racing.target)
    assert sorted((n.originator_id, n.originator_version) for n in new) == sorted(
        [(winners[0].introduction.id, 1), (index, 1), (other, 4)]
    )


def test_replies_to_one_introduction_at_the_same_moment_all_land(app: IntroductionsApp) -> None:
    # In one process, commands on the same introduction take turns instead of racing
    # (domain/aggregate_locks.py): none is refused as a conflict.
    people = register_people(app, "turns ")
    introduction_id = consented(app, people)
    outcomes: list[Any] = []
    start = threading.Barrier(24)

    def reply(i: int) -> None:
        start.wait()
        try:
            outcomes.append(app.record_reply(people.requester, introduction_id, f"reply {i}"))
        except Exception as e:
            outcomes.append(e)

    threads = [threading.Thread(target=reply, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sorted(o.introduction.version for o in outcomes) == list(range(4, 28))
    assert [e.type for e in app.history(introduction_id)].count("ReplyRecorded") == 24
    assert len(app._aggregate_locks) == 0  # nothing kept once the commands are done


def test_the_grouping_recorder_is_still_known_as_its_backend(
    app: IntroductionsApp, module_storage: Storage
) -> None:
    # Batched reads and LISTEN/NOTIFY pick their SQL by backend: a subclass must not hide it.
    assert backend_of(app.recorder) == module_storage.kind


def test_each_saver_returns_only_after_its_group_was_handed_on(app: IntroductionsApp) -> None:
    # `after_commit` (on SQLite, the views' fold) runs once per group in the committing
    # thread, with the group's last position, before any of the group's savers returns.
    people = [register_people(app, prefix=f"h{i} ") for i in range(4)]
    ids = [consented(app, p) for p in people]
    recorder = app.recorder
    assert isinstance(recorder, GroupCommit)
    handed_on: list[int] = []
    recorder.after_commit = handed_on.append
    late: list[int] = []

    def reply(p: Any, i: Any) -> Any:
        position = app.record_reply(p.requester, i, "handed on").position
        if not handed_on or max(handed_on) < position:
            late.append(position)
        return position

    try:
        outcomes = _queued_together(
            app, [lambda p=p, i=i: reply(p, i) for p, i in zip(people, ids, strict=True)]
        )
    finally:
        recorder.after_commit = None
    assert late == []
    assert handed_on == [max(outcomes)]  # one group, handed on once
