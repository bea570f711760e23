"""A real race: two OS processes, each with its own application on the same storage
(SQLite file, PostgreSQL schema), reply to the same introduction as fast as they can:
first reading the version and passing it as expected_version, then without it. The log
must lose nothing and double nothing, and every refusal must be a ConcurrencyConflict."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from typing import Any

import pytest

from domain.introduction import ADMIN
from storage.bootstrap import open_application
from storage.database import Storage
from tests.application.journeys import consented, register_people
from tests.application.race_worker import race

pytestmark = pytest.mark.processes

ROUNDS = 30
Race = dict[str, tuple[list[dict[str, Any]], list[Any]]]


@pytest.fixture(scope="module")
def raced(module_storage: Storage) -> Race:
    """Runs the race once per backend; returns each phase's outcomes and history."""
    app = open_application(module_storage)
    try:
        people = register_people(app)
        introductions = {"expected": str(consented(app, people))}
        app.record_reply(people.target, introductions["expected"], "before the race")
        kent = str(app.register_person(ADMIN, "Kent").person.id)
        free = app.propose(kent, people.requester, people.target, context="c").introduction.id
        app.consent(people.requester, free)
        app.consent(people.target, free)
        introductions["free"] = str(free)
        pair = register_people(app, prefix="pair ")
        for role in ("introducer", "requester", "target"):
            introductions[f"pair {role}"] = getattr(pair, role)
    finally:
        app.close()

    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(2)
    results = spawn.Queue()
    racers = [
        spawn.Process(
            target=race,
            args=(module_storage.url, introductions, actor, name, ROUNDS, start, results),
        )
        for name, actor in (("Jim", people.requester), ("John", people.target))
    ]
    for racer in racers:
        racer.start()
    reports = [results.get(timeout=90) for _ in racers]
    for racer in racers:
        racer.join(timeout=30)
        assert racer.exitcode == 0
    for report in reports:
        assert report["errors"] == [], report["errors"][0]

    app = open_application(module_storage)
    try:
        raced: Race = {
            phase: ([r[phase] for r in reports], app.history(introductions[phase]))
            for phase in ("expected", "free")
        }
        proposals = [r["propose"] for r in reports]
        proposed = [i for p in proposals for i in p["proposed"]]
        raced["propose"] = (proposals, [app.get_introduction(i) for i in proposed])
        return raced
    finally:
        app.close()


def assert_log_has_each_success_once(
    outcomes: list[dict[str, Any]], history: list[Any], replies_before: int
) -> None:
    assert [e.version for e in history] == list(range(1, len(history) + 1))
    replies = [e.data["message"] for e in history if e.type == "ReplyRecorded"]
    succeeded = [m for o in outcomes for m in o["succeeded"]]
    assert Counter(replies[replies_before:]) == Counter(succeeded)
    assert len(replies) == len(set(replies))
    assert len(history) == 3 + replies_before + len(succeeded)


def test_with_expected_version_two_writers_never_both_succeed_on_one_version(
    raced: Race,
) -> None:
    outcomes, history = raced["expected"]

    assert_log_has_each_success_once(outcomes, history, replies_before=1)
    one, other = outcomes
    for outcome in outcomes:
        assert len(outcome["conflicts"]) == ROUNDS - len(outcome["succeeded"])
    assert one["conflicts"] or other["conflicts"], "the two processes never overlapped"
    # A conflict means the other process wrote between this one's read and write; the
    # windows of one process do not overlap, so no conflict is spurious:
    assert len(one["conflicts"]) <= len(other["succeeded"])
    assert len(other["conflicts"]) <= len(one["succeeded"])


def test_without_expected_version_the_internal_retry_lands_the_commands(
    raced: Race,
) -> None:
    outcomes, history = raced["free"]

    assert_log_has_each_success_once(outcomes, history, replies_before=0)
    busy = [m for o in outcomes for m in o["conflicts"]]
    succeeded = sum(len(o["succeeded"]) for o in outcomes)
    assert succeeded + len(busy) == 2 * ROUNDS
    # Only running out of the bounded retries may refuse a command, and that is rare
    # (with no retry at all, about a third of these commands would be refused).
    assert all("changing too fast" in m for m in busy), busy
    assert len(busy) <= 2 * ROUNDS // 10


def test_racing_proposals_of_one_pair_never_open_two(raced: Race) -> None:
    outcomes, introductions = raced["propose"]

    rounds = ROUNDS // 3
    assert sum(len(o["proposed"]) for o in outcomes) == rounds  # one winner a round
    assert sum(len(o["refused"]) for o in outcomes) == rounds
    assert all("already have an open introduction" in m for o in outcomes for m in o["refused"])
    assert [i.status.value for i in introductions] == ["DECLINED"] * rounds
