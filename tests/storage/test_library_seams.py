"""Each private part of a library the project relies on (storage/library_seams.py) is
still there, used as we use it: the library code that calls or sets it is unchanged."""

from __future__ import annotations

import importlib
import inspect

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import ListenNotifySubscription
from eventsourcing.postgres import PostgresSubscription

from domain.application import IntroductionsApp
from projections.postgres import PostgresBatchSubscription
from projections.subscription import SQLitePollingSubscription
from storage.bootstrap import open_application
from storage.database import Storage
from storage.library_seams import SEAMS, Seam


def library_source(code: str) -> str:
    module_name, _, qualified = code.partition(":")
    found: object = importlib.import_module(module_name)
    for part in qualified.split("."):
        found = getattr(found, part)
    return inspect.getsource(found)  # type: ignore[arg-type]


def without_spaces(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("seam", SEAMS, ids=[s.name for s in SEAMS])
def test_the_library_still_uses_the_seam_as_we_do(seam: Seam) -> None:
    source = library_source(seam.library_code)
    assert without_spaces(seam.expects) in without_spaces(source), (
        f"{seam.library_code} changed: {seam.name}, on which {seam.used_in} relies "
        f"({seam.why}), may no longer work"
    )


def parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_our_overrides_take_what_the_library_passes() -> None:
    assert parameters(IntroductionsApp._take_snapshots) == parameters(Application._take_snapshots)
    assert parameters(PostgresBatchSubscription._listen) == parameters(PostgresSubscription._listen)
    assert {"recorder", "gt"} <= set(parameters(ListenNotifySubscription.__init__))


def test_a_subscription_has_the_attributes_we_read(sqlite_storage: Storage) -> None:
    app = open_application(sqlite_storage)
    try:
        with SQLitePollingSubscription(app.recorder, gt=0) as subscription:
            assert isinstance(subscription, ListenNotifySubscription)
            for name in (
                "_notifications",
                "_notifications_index",
                "_notifications_queue",
                "_has_been_notified",
                "_thread_error",
                "_last_notification_id",
                "_has_been_stopped",
                "_recorder",
            ):
                assert hasattr(subscription, name), name
            subscription.stop()
    finally:
        app.close()
