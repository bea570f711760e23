"""The runner catches up on a log written before it started, stops cleanly, and carries
on after a restart without losing or double-counting an event."""

from __future__ import annotations

from bench.seed import append_history
from projections.read_models import ReadModels
from projections.rebuild import rebuild
from projections.runner import ProjectionsRunner
from storage.bootstrap import open_application
from storage.database import Storage
from tests.conftest import FakeClock
from tests.projections.helpers import dump


def test_catch_up_stop_and_restart_equal_a_rebuild(storage: Storage, clock: FakeClock) -> None:
    app = open_application(storage, clock=clock)
    read_models = ReadModels(storage, clock=clock)
    try:
        # Several pages of the library's subscription, and no write after the start:
        # nothing but the runner's own reading may bring it to the end.
        append_history(app, 3000, seed=2, people=40, end=clock())
        with ProjectionsRunner(storage, clock=clock, sweep_interval=3600) as runner:
            assert read_models.wait_for(app.recorder.max_notification_id(), timeout=30)
        assert not runner.running
        assert runner.errors == []

        append_history(app, 1000, seed=3, people=40, end=clock())
        with ProjectionsRunner(storage, clock=clock, sweep_interval=3600):
            assert read_models.wait_for(app.recorder.max_notification_id(), timeout=30)
        followed = dump(read_models, clock())
        rebuild(storage, clock=clock)
        assert dump(read_models, clock()) == followed
    finally:
        read_models.close()
        app.close()


def test_a_rebuild_in_process_does_not_pass_for_caught_up_before_it_is(
    storage: Storage, clock: FakeClock
) -> None:
    # Readers of this process trust the position its runner announced: once the views
    # are dropped, that announcement must no longer count.
    app = open_application(storage, clock=clock)
    read_models = ReadModels(storage, clock=clock)
    try:
        append_history(app, 40, seed=4, people=10, end=clock())
        end = app.recorder.max_notification_id() or 0
        with ProjectionsRunner(storage, clock=clock, sweep_interval=3600):
            assert read_models.wait_for(end, timeout=30)
        seen_mid_rebuild: list[bool] = []

        def midway(position: int, last: int, events: int) -> None:
            if position < end:
                seen_mid_rebuild.append(read_models.wait_for(end, timeout=0))

        rebuild(storage, clock=clock, progress=midway, batch_size=5)
        assert seen_mid_rebuild
        assert not any(seen_mid_rebuild)
        assert read_models.wait_for(end, timeout=5)
    finally:
        read_models.close()
        app.close()
