"""The body of one racing OS process (imported by name under the 'spawn' start method):
it opens its own application on the shared storage and replies N times to one
introduction passing the version it has just read, then N times to another without."""

from __future__ import annotations

import traceback
from typing import Any

from domain.application import IntroductionsApp
from domain.errors import BadInput, ConcurrencyConflict
from storage.bootstrap import open_application
from storage.database import parse_database_url


def reply_rounds(
    app: IntroductionsApp,
    introduction_id: str,
    actor_id: str,
    name: str,
    rounds: int,
    with_expected_version: bool,
) -> dict[str, Any]:
    outcome: dict[str, Any] = {"name": name, "succeeded": [], "conflicts": []}
    for n in range(rounds):
        message = f"{name} #{n}"
        try:
            if with_expected_version:
                seen = app.get_introduction(introduction_id).version
                app.record_reply(actor_id, introduction_id, message, expected_version=seen)
            else:
                app.record_reply(actor_id, introduction_id, message)
        except ConcurrencyConflict as e:
            outcome["conflicts"].append(e.message)
        else:
            outcome["succeeded"].append(message)
    return outcome


def propose_rounds(
    app: IntroductionsApp, pair: dict[str, str], rounds: int, start: Any
) -> dict[str, Any]:
    """Each round both racers propose the same pair for the same introducer at once;
    once both have tried, the winner declines it (as the requester) so that the next
    round starts free."""
    outcome: dict[str, Any] = {"proposed": [], "refused": []}
    for _ in range(rounds):
        start.wait(timeout=30)
        won = None
        try:
            won = app.propose(
                pair["introducer"], pair["requester"], pair["target"], context="Race you."
            ).introduction.id
        except BadInput as e:
            outcome["refused"].append(e.message)
        else:
            outcome["proposed"].append(str(won))
        start.wait(timeout=30)
        if won is not None:
            app.decline(pair["requester"], won)
    return outcome


def race(
    url: str,
    introductions: dict[str, str],
    actor_id: str,
    name: str,
    rounds: int,
    start: Any,
    results: Any,
) -> None:
    """Both racers start each phase together (the barrier), then hammer."""
    report: dict[str, Any] = {"errors": []}
    app = None
    try:
        app = open_application(parse_database_url(url))
        for phase, with_expected_version in (("expected", True), ("free", False)):
            start.wait(timeout=30)
            report[phase] = reply_rounds(
                app, introductions[phase], actor_id, name, rounds, with_expected_version
            )
        pair = {k[len("pair ") :]: v for k, v in introductions.items() if k.startswith("pair ")}
        report["propose"] = propose_rounds(app, pair, rounds // 3, start)
    except Exception:
        report["errors"].append(traceback.format_exc())
        start.abort()  # let the other racer stop waiting
    finally:
        if app is not None:
            app.close()
        results.put(report)


def open_together(url: str, start: Any, results: Any) -> None:
    """Open the application at the same moment as other processes, then read."""
    try:
        start.wait(timeout=30)
        app = open_application(parse_database_url(url))
        try:
            results.put(("opened", app.recorder.max_notification_id()))
        finally:
            app.close()
    except Exception:
        results.put(("failed", traceback.format_exc()))


def reply_once(
    url: str, introduction_id: str, actor_id: str, key: str, start: Any, results: Any
) -> None:
    """One retry of a reply with an idempotency key, at the same moment as the others."""
    try:
        app = open_application(parse_database_url(url))
        try:
            start.wait(timeout=30)
            result = app.record_reply(actor_id, introduction_id, "Hi", idempotency_key=key)
            answer = result.introduction
            results.put(("replied", str(answer.id), answer.version, answer.modified_on))
        finally:
            app.close()
    except Exception:
        results.put(("failed", traceback.format_exc()))
