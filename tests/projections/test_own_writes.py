"""On SQLite, a write of the process that runs the projections is in the views as soon
as its thread has folded it, with no wait for the follower; writes of other processes
are still followed; and neither stopping the runner nor a rebuild racing a stream of
writes loses or double-counts anything."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from projections.own_writes import OwnWrites, fold_own_write
from projections.read_models import ReadModels
from projections.rebuild import rebuild
from projections.runner import ProjectionsRunner
from storage.bootstrap import open_application
from storage.database import Storage, parse_database_url
from tests.conftest import FakeClock
from tests.projections.helpers import dump

WRITERS = 8
REPLIES = 10


@dataclass
class Setup:
    storage: Storage
    app: IntroductionsApp
    read_models: ReadModels
    clock: FakeClock
    introducer: str
    others: list[str]

    def runner(self) -> ProjectionsRunner:
        return ProjectionsRunner(self.storage, clock=self.clock, sweep_interval=3600)

    def assert_equal_to_a_rebuild(self) -> None:
        followed = dump(self.read_models, self.clock())
        rebuild(self.storage, clock=self.clock)
        assert dump(self.read_models, self.clock()) == followed


def people(app: IntroductionsApp) -> list[str]:
    return [str(app.register_person(ADMIN, name).person.id) for name in "IABCDEFGHJ"]


def consented(app: IntroductionsApp, introducer: str, requester: str, target: str) -> str:
    introduction = str(app.propose(introducer, requester, target, "ctx").introduction.id)
    app.consent(requester, introduction)
    app.consent(target, introduction)
    return introduction


def open_setup(storage: Storage, clock: FakeClock) -> Iterator[Setup]:
    app = open_application(storage, clock=clock)
    read_models = ReadModels(storage, clock=clock)
    try:
        introducer, *others = people(app)
        yield Setup(storage, app, read_models, clock, introducer, others)
    finally:
        read_models.close()
        app.close()


@pytest.fixture
def sqlite_setup(tmp_path: Path, clock: FakeClock) -> Iterator[Setup]:
    yield from open_setup(parse_database_url(f"sqlite:///{tmp_path / 'i.db'}"), clock)


@pytest.fixture
def any_setup(storage: Storage, clock: FakeClock) -> Iterator[Setup]:
    yield from open_setup(storage, clock)


@contextlib.contextmanager
def replying(
    s: Setup, count: int, replies: int | None = None, check: Callable[[int], None] = lambda _: None
) -> Iterator[list[BaseException]]:
    """`count` threads, each replying on its own introduction and folding its write, as
    the API's mutations do: `replies` times (the block's end waits for them), or else
    until the block ends. Yields the failures, complete once the block has ended."""
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer(requester: str, target: str) -> None:
        try:
            introduction = consented(s.app, s.introducer, requester, target)
            n = 0
            while not stop.is_set() and (replies is None or n < replies):
                position = s.app.record_reply(target, introduction, f"reply {n}").position
                fold_own_write(s.storage.url, position)
                check(position)
                n += 1
        except BaseException as e:
            failures.append(e)

    threads = [
        threading.Thread(target=writer, args=(s.others[i], s.others[i + 1])) for i in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        yield failures
    finally:
        if replies is None:
            stop.set()
        for thread in threads:
            thread.join()


def test_every_writer_finds_its_write_folded_on_return(sqlite_setup: Setup) -> None:
    s = sqlite_setup
    not_yet_folded: list[int] = []

    def folded(position: int) -> None:
        if not s.read_models.wait_for(position, timeout=0):
            not_yet_folded.append(position)

    with s.runner() as runner:
        assert s.read_models.wait_for(s.app.recorder.max_notification_id() or 0, timeout=10)
        with replying(s, WRITERS, REPLIES, folded) as failures:
            pass  # the block's end waits for the writers' replies
    assert failures == []
    assert not_yet_folded == []
    assert runner.errors == []
    reputation = s.read_models.reputation(s.introducer)
    assert reputation is not None
    assert reputation.proposed == WRITERS
    s.assert_equal_to_a_rebuild()


def test_a_write_of_another_process_is_followed_by_polling(any_setup: Setup) -> None:
    s = any_setup  # its app stands for another process: nothing folds its writes
    with s.runner():
        requester, target = s.others[:2]
        introduction = consented(s.app, s.introducer, requester, target)
        position = s.app.record_reply(target, introduction, "hello").position
        assert s.read_models.wait_for(position, timeout=10)
        assert s.read_models.track_record(target).replies_sent == 1


def test_stopping_the_runner_while_writers_fold_loses_nothing(sqlite_setup: Setup) -> None:
    s = sqlite_setup
    with replying(s, 4) as failures:
        for _ in range(3):  # stops and starts while the writers carry on
            with s.runner() as runner:
                end = s.app.recorder.max_notification_id() or 0
                s.read_models.wait_for(end + 20, timeout=5)
            assert runner.errors == []
    assert failures == []
    with s.runner():
        assert s.read_models.wait_for(s.app.recorder.max_notification_id() or 0, timeout=30)
    s.assert_equal_to_a_rebuild()


def test_a_rebuild_racing_the_writers_leaves_the_views_as_a_rebuild_would(
    sqlite_setup: Setup,
) -> None:
    s = sqlite_setup
    with s.runner() as runner:
        with replying(s, 4) as failures:
            # Views dropped and refolded under the runner, as `introductions rebuild`
            # run beside `serve` does: positions move under the writers' feet.
            rebuild(s.storage, clock=s.clock, batch_size=5)
        assert s.read_models.wait_for(s.app.recorder.max_notification_id() or 0, timeout=30)
    assert failures == []
    assert runner.errors == []
    s.assert_equal_to_a_rebuild()


def test_waiting_for_an_own_write_finds_it_folded_without_waiting(sqlite_setup: Setup) -> None:
    s = sqlite_setup
    with s.runner():
        assert s.read_models.wait_for(s.app.recorder.max_notification_id() or 0, timeout=10)
        requester, target = s.others[:2]
        introduction = consented(s.app, s.introducer, requester, target)
        position = s.app.record_reply(target, introduction, "hello").position
        assert s.read_models.wait_for_own_write(position, timeout=0)
        assert s.read_models.track_record(target).replies_sent == 1


def test_the_writers_group_commit_folds_before_its_savers_return(sqlite_setup: Setup) -> None:
    # The API's application, given to OwnWrites: its writers need no fold of their own.
    s = sqlite_setup
    own_writes = OwnWrites(s.storage, writer=s.app)
    own_writes.start()
    try:
        requester, target = s.others[:2]
        introduction = consented(s.app, s.introducer, requester, target)
        position = s.app.record_reply(target, introduction, "hello").position
        assert s.read_models.wait_for(position, timeout=0)
        assert s.read_models.track_record(target).replies_sent == 1
    finally:
        own_writes.stop()
    assert s.app.recorder.after_commit is None  # type: ignore[attr-defined]
