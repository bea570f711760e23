"""On SQLite, a write of the process that runs the projections is in the views as soon
as its thread has folded it, with no wait for the follower; writes of other processes
are still followed; and stopping the runner under a stream of writes loses nothing."""

from __future__ import annotations

import threading
from pathlib import Path

from domain.application import IntroductionsApp
from domain.bootstrap import open_application
from domain.introduction import ADMIN
from domain.storage import Storage, parse_database_url
from projections.own_writes import fold_own_write
from projections.read_models import ReadModels
from projections.rebuild import rebuild
from projections.runner import ProjectionsRunner
from tests.conftest import FakeClock
from tests.projections.helpers import dump

WRITERS = 8
REPLIES = 10


def people(app: IntroductionsApp) -> list[str]:
    return [str(app.register_person(ADMIN, name).person.id) for name in "IABCDEFGHJ"]


def consented(app: IntroductionsApp, introducer: str, requester: str, target: str) -> str:
    introduction = str(app.propose(introducer, requester, target, "ctx").introduction.id)
    app.consent(requester, introduction)
    app.consent(target, introduction)
    return introduction


def test_every_writer_finds_its_write_folded_on_return(tmp_path: Path, clock: FakeClock) -> None:
    storage = parse_database_url(f"sqlite:///{tmp_path / 'introductions.db'}")
    app = open_application(storage, clock=clock)
    read_models = ReadModels(storage, clock=clock)
    introducer, *others = people(app)
    not_yet_folded: list[int] = []
    failures: list[BaseException] = []

    def writer(requester: str, target: str) -> None:
        try:
            introduction = consented(app, introducer, requester, target)
            for n in range(REPLIES):
                position = app.record_reply(target, introduction, f"reply {n}").position
                fold_own_write(storage.url, position)
                if not read_models.wait_for(position, timeout=0):
                    not_yet_folded.append(position)
        except BaseException as e:
            failures.append(e)

    try:
        with ProjectionsRunner(storage, clock=clock, sweep_interval=3600) as runner:
            assert read_models.wait_for(app.recorder.max_notification_id() or 0, timeout=10)
            threads = [
                threading.Thread(target=writer, args=(others[i], others[i + 1]))
                for i in range(WRITERS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert failures == []
        assert not_yet_folded == []
        assert runner.errors == []
        reputation = read_models.reputation(introducer)
        assert reputation is not None
        assert reputation.proposed == WRITERS
        followed = dump(read_models, clock())
        rebuild(storage, clock=clock)
        assert dump(read_models, clock()) == followed
    finally:
        read_models.close()
        app.close()


def test_a_write_of_another_process_is_followed_by_polling(
    storage: Storage, clock: FakeClock
) -> None:
    app = open_application(storage, clock=clock)  # stands for another process: it never folds
    read_models = ReadModels(storage, clock=clock)
    try:
        with ProjectionsRunner(storage, clock=clock, sweep_interval=3600):
            introducer, requester, target, *_ = people(app)
            introduction = consented(app, introducer, requester, target)
            position = app.record_reply(target, introduction, "hello").position
            assert read_models.wait_for(position, timeout=10)
            assert read_models.track_record(target).replies_sent == 1
    finally:
        read_models.close()
        app.close()


def test_stopping_the_runner_while_writers_fold_loses_nothing(
    tmp_path: Path, clock: FakeClock
) -> None:
    storage = parse_database_url(f"sqlite:///{tmp_path / 'introductions.db'}")
    app = open_application(storage, clock=clock)
    read_models = ReadModels(storage, clock=clock)
    introducer, *others = people(app)
    stop_writing = threading.Event()
    failures: list[BaseException] = []

    def writer(requester: str, target: str) -> None:
        try:
            introduction = consented(app, introducer, requester, target)
            while not stop_writing.is_set():
                position = app.record_reply(target, introduction, "again").position
                fold_own_write(storage.url, position)
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=writer, args=(others[i], others[i + 1])) for i in range(4)]
    try:
        for round in range(3):  # stops and starts while the writers carry on
            with ProjectionsRunner(storage, clock=clock, sweep_interval=3600) as runner:
                if round == 0:
                    for thread in threads:
                        thread.start()
                read_models.wait_for((app.recorder.max_notification_id() or 0) + 20, timeout=5)
            assert runner.errors == []
        stop_writing.set()
        for thread in threads:
            thread.join()
        assert failures == []
        with ProjectionsRunner(storage, clock=clock, sweep_interval=3600):
            assert read_models.wait_for(app.recorder.max_notification_id() or 0, timeout=30)
        followed = dump(read_models, clock())
        rebuild(storage, clock=clock)
        assert dump(read_models, clock()) == followed
    finally:
        stop_writing.set()
        read_models.close()
        app.close()


def test_a_rebuild_racing_the_writers_leaves_the_views_as_a_rebuild_would(
    tmp_path: Path, clock: FakeClock
) -> None:
    storage = parse_database_url(f"sqlite:///{tmp_path / 'introductions.db'}")
    app = open_application(storage, clock=clock)
    read_models = ReadModels(storage, clock=clock)
    introducer, *others = people(app)
    stop_writing = threading.Event()
    failures: list[BaseException] = []

    def writer(requester: str, target: str) -> None:
        try:
            introduction = consented(app, introducer, requester, target)
            while not stop_writing.is_set():
                position = app.record_reply(target, introduction, "again").position
                fold_own_write(storage.url, position)
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=writer, args=(others[i], others[i + 1])) for i in range(4)]
    try:
        with ProjectionsRunner(storage, clock=clock, sweep_interval=3600) as runner:
            for thread in threads:
                thread.start()
            # Views dropped and refolded under the runner, as `introductions rebuild`
            # run beside `serve` does: positions move under the writers' feet.
            rebuild(storage, clock=clock, batch_size=5)
            stop_writing.set()
            for thread in threads:
                thread.join()
            end = app.recorder.max_notification_id() or 0
            assert read_models.wait_for(end, timeout=30)
        assert failures == []
        assert runner.errors == []
        followed = dump(read_models, clock())
        rebuild(storage, clock=clock)
        assert dump(read_models, clock()) == followed
    finally:
        stop_writing.set()
        read_models.close()
        app.close()
