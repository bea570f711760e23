"""Forgetting a person while others write about them, on both databases: a reply racing
the forgetting is never lost and is erased either way; a proposal racing it either is
refused or its introduction's key is destroyed with the person's. No key survives."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from domain.application import IntroductionsApp
from domain.audit import verify_aggregate
from domain.commands import ForgetPerson
from domain.errors import BadInput
from domain.introduction import ADMIN
from tests.application.journeys import consented, register_people

ROUNDS = 6


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Runs the calls at the same moment; their results or the exceptions they raised."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = calls[i]()
        except Exception as e:  # the race's loser: returned to the test
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_reply_racing_the_forgetting_is_kept_and_erased(app: IntroductionsApp) -> None:
    for n in range(ROUNDS):
        people = register_people(app, f"reply{n}-")
        introduction_id = consented(app, people)
        forget = ForgetPerson(people.requester)
        reply = (people.target, introduction_id, f"secret reply {n}")
        forgot, replied = race(
            lambda f=forget: app.handle(ADMIN, f), lambda r=reply: app.record_reply(*r)
        )
        assert not isinstance(forgot, Exception), forgot
        assert not isinstance(replied, Exception), replied  # the reply is not lost
        history = app.history(introduction_id)
        assert history[-1].type == "ReplyRecorded"
        assert history[-1].data == {"message": None, "erased": True}
        assert app.keyring is not None
        assert app.recorder.read_secret(str(introduction_id)) is None  # type: ignore[attr-defined]
        assert verify_aggregate(app, introduction_id).ok


def test_a_proposal_racing_the_forgetting_is_refused_or_erased(app: IntroductionsApp) -> None:
    for n in range(ROUNDS):
        people = register_people(app, f"propose{n}-")
        forget = ForgetPerson(people.requester)
        proposal = (people.introducer, people.requester, people.target, "secret")
        forgot, proposed = race(
            lambda f=forget: app.handle(ADMIN, f), lambda p=proposal: app.propose(*p)
        )
        assert not isinstance(forgot, Exception), forgot
        if isinstance(proposed, BadInput):
            continue  # it saw the forgetting
        assert not isinstance(proposed, Exception), proposed
        introduction_id = proposed.introduction.id
        assert app.recorder.read_secret(str(introduction_id)) is None  # type: ignore[attr-defined]
        assert app.history(introduction_id)[0].data["erased"] is True
