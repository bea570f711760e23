"""A real race: two OS processes, each with its own application on the same storage,
reply to the same introduction as fast as they can. The log must lose nothing and double
nothing, and every refusal must be a ConcurrencyConflict."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from typing import Any

from domain.bootstrap import open_application
from domain.storage import Storage
from tests.application.journeys import consented, register_people
from tests.application.race_worker import reply_rounds

ROUNDS = 40


def race(storage: Storage, with_expected_version: bool) -> tuple[list[dict[str, Any]], Any]:
    app = open_application(storage)
    try:
        people = register_people(app)
        introduction_id = str(consented(app, people))
    finally:
        app.close()

    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(2)
    results = spawn.Queue()
    racers = [
        spawn.Process(
            target=reply_rounds,
            args=(storage.url, introduction_id, actor, name, ROUNDS, with_expected_version),
            kwargs={"start": start, "results": results},
        )
        for name, actor in (("Jim", people.requester), ("John", people.target))
    ]
    for racer in racers:
        racer.start()
    outcomes = [results.get(timeout=60) for _ in racers]
    for racer in racers:
        racer.join(timeout=30)
        assert racer.exitcode == 0

    app = open_application(storage)
    try:
        history = app.history(introduction_id)
    finally:
        app.close()
    return outcomes, history


def assert_log_has_each_success_once(outcomes: list[dict[str, Any]], history: Any) -> None:
    for outcome in outcomes:
        assert outcome["errors"] == [], outcome["errors"]
    assert [e.version for e in history] == list(range(1, len(history) + 1))
    replies = [e.data["message"] for e in history if e.type == "ReplyRecorded"]
    succeeded = [m for o in outcomes for m in o["succeeded"]]
    assert Counter(replies) == Counter(succeeded)
    assert len(replies) == len(set(replies))
    assert len(history) == 3 + len(succeeded)


def test_racing_with_expected_version_never_both_succeed_on_one_version(
    storage: Storage,
) -> None:
    outcomes, history = race(storage, with_expected_version=True)

    assert_log_has_each_success_once(outcomes, history)
    one, other = outcomes
    for outcome in outcomes:
        assert len(outcome["conflicts"]) == ROUNDS - len(outcome["succeeded"])
    assert one["conflicts"] or other["conflicts"], "the two processes never overlapped"
    # A conflict means the other process wrote between this one's read and write; the
    # windows of one process do not overlap, so no conflict is spurious:
    assert len(one["conflicts"]) <= len(other["succeeded"])
    assert len(other["conflicts"]) <= len(one["succeeded"])


def test_racing_without_expected_version_retries_until_each_command_lands(
    storage: Storage,
) -> None:
    outcomes, history = race(storage, with_expected_version=False)

    assert_log_has_each_success_once(outcomes, history)
    busy = [m for o in outcomes for m in o["conflicts"]]
    succeeded = sum(len(o["succeeded"]) for o in outcomes)
    assert succeeded + len(busy) == 2 * ROUNDS
    # Only running out of the bounded retries may refuse a command, and that is rare.
    assert all("changing too fast" in m for m in busy), busy
    assert len(busy) <= ROUNDS // 10
