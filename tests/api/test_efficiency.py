"""Storage work stays off the event loop, and a page of introductions with its persons
costs a constant number of storage round trips."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from api.schema import coach as api_coach
from api.services import Services
from domain import coach
from storage import personal_keys
from tests.api.graphql_client import (
    CONSENT,
    INTRODUCTION,
    INTRODUCTIONS,
    PROPOSE,
    REGISTER,
    REPLY,
    REPUTATION,
    TRACK_RECORD,
    GraphQL,
)


def test_storage_is_never_called_on_the_event_loop(
    gql: GraphQL, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = spy_on_the_loop(monkeypatch, services.app.recorder, "max_notification_id")
    assert gql.data("{ health { ok } }")["health"]["ok"] is True
    assert calls, "the health query never reached the storage: the spy proves nothing"
    assert not any(calls), "storage was called on the event loop"


def test_personal_keys_are_never_read_on_the_event_loop(
    gql: GraphQL, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sealed field opens with its key, which the keyring reads from storage once its
    # copy is older than KEY_CACHE_SECONDS: fields are opened where the reads are.
    introducer, a, b, iid = sealed_introduction(gql)
    on_loop = key_reads_on_the_loop(monkeypatch, services)
    reputation = gql.as_(a, REPUTATION, id=introducer)["introducerReputation"]
    assert reputation["introducer"]["displayName"] == "Sealed"
    assert gql.as_(a, TRACK_RECORD, id=b)["person"]["displayName"] == "B"
    page = gql.as_(introducer, INTRODUCTIONS, first=1)["introductions"]
    assert page["edges"][0]["node"]["target"]["displayName"] == "B"
    shown = gql.as_(a, INTRODUCTION, id=iid)["introduction"]
    assert (shown["context"], shown["target"]["displayName"]) == ("context", "B")
    assert on_loop, "no key was read: the spy proves nothing"
    assert not any(on_loop), "a personal key was read on the event loop"


def test_mutations_never_read_personal_keys_on_the_event_loop(
    gql: GraphQL, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A payload's introduction and person carry opened fields: they are built in the
    # write's thread, not on the loop after it.
    _, a, b, iid = sealed_introduction(gql)
    on_loop = key_reads_on_the_loop(monkeypatch, services)
    assert gql.mutate(a, CONSENT, id=iid)["introduction"]["context"] == "context"
    gql.mutate(b, CONSENT, id=iid)
    replied = gql.mutate(a, REPLY, id=iid, m="Thanks: I read your post on planning.")
    assert replied["introduction"]["status"] == "REPLIED"
    registered = gql.admin(REGISTER, name="C")["registerPerson"]["person"]
    assert registered["displayName"] == "C"
    assert on_loop, "no key was read: the spy proves nothing"
    assert not any(on_loop), "a personal key was read on the event loop"


def test_a_page_of_introductions_costs_constant_round_trips(
    gql: GraphQL, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    introducer = gql.register("Connector")
    people = [gql.register(f"P{i}") for i in range(21)]
    calls = {"batched": 0, "single": 0}
    recorder: Any = services.app.recorder
    original_batched = services.app._select_events_of_many
    original_single = recorder.select_events

    def batched(*args: Any) -> Any:
        calls["batched"] += 1
        return original_batched(*args)

    def single(*args: Any, **kwargs: Any) -> Any:
        calls["single"] += 1
        return original_single(*args, **kwargs)

    def cost(first: int) -> dict[str, int]:
        calls.update(batched=0, single=0)
        page = gql.as_(introducer, INTRODUCTIONS, first=first)["introductions"]
        assert len(page["edges"]) == first
        assert all(e["node"]["introducer"]["displayName"] == "Connector" for e in page["edges"])
        return dict(calls)

    for a, b in itertools.pairwise(people):
        gql.mutate(introducer, PROPOSE, r=a, t=b, c="c")
    monkeypatch.setattr(services.app, "_select_events_of_many", batched)
    monkeypatch.setattr(recorder, "select_events", single)
    small, large = cost(2), cost(20)
    assert small == large
    assert large["single"] <= 1  # authenticating the token: one get by id
    assert large["batched"] <= 3  # introductions, then their persons


def test_persons_of_a_page_are_read_fresh_in_one_batch(
    gql: GraphQL, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Profiles change (updateMyProfile), possibly in another process: persons are not
    # answered from this process's memory, but every request reads those it shows in
    # one batch (the events since the copies it holds).
    introducer = gql.register("Remembered")
    a, b = gql.register("A"), gql.register("B")
    gql.mutate(introducer, PROPOSE, r=a, t=b, c="c")
    page = gql.as_(introducer, INTRODUCTIONS, first=1)["introductions"]
    asked: list[list[str]] = []
    original = services.app.get_persons_batched

    def counted(ids: list[str]) -> Any:
        asked.append(list(ids))
        return original(ids)

    monkeypatch.setattr(services.app, "get_persons_batched", counted)
    again = gql.as_(introducer, INTRODUCTIONS, first=1)["introductions"]
    assert again == page
    assert len(asked) == 1
    assert sorted(asked[0]) == sorted({introducer, a, b})


def test_introductions_are_counted_only_when_a_client_selects_total_count(
    gql: GraphQL, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counting every matching row grows with the log (at 1M events it was the one query
    # of the benchmark's scale part that did): a page without totalCount skips it.
    introducer = gql.register("Counted")
    a, b, c = gql.register("A"), gql.register("B"), gql.register("C")
    gql.mutate(introducer, PROPOSE, r=a, t=b, c="one")
    gql.mutate(introducer, PROPOSE, r=a, t=c, c="two")
    counted: list[bool] = []
    view = services.read_models.introductions
    original = view.page

    def spied(**kwargs: Any) -> Any:
        counted.append(kwargs["with_total"])
        return original(**kwargs)

    monkeypatch.setattr(view, "page", spied)
    page = gql.as_(introducer, "{ introductions(first: 1) { edges { cursor } } }")
    assert len(page["introductions"]["edges"]) == 1
    by_fragment = gql.as_(
        introducer,
        "{ introductions(first: 1) { ...Total } } fragment Total on IntroductionConnection "
        "{ ... on IntroductionConnection { n: totalCount } }",
    )
    assert by_fragment["introductions"]["n"] == 2
    assert counted == [False, True]


def test_the_reply_coach_runs_only_for_a_client_that_selects_its_answer(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    introducer = gql.register("Coaching")
    a, b, c = gql.register("A"), gql.register("B"), gql.register("C")
    ids = [gql.mutate(introducer, PROPOSE, r=a, t=t, c="c")["introduction"]["id"] for t in (b, c)]
    for iid, target in zip(ids, (b, c), strict=True):
        gql.mutate(a, CONSENT, id=iid)
        gql.mutate(target, CONSENT, id=iid)
    assessed: list[str] = []

    def spied(text: str, setting: Any) -> Any:
        assessed.append(text)
        return coach.assess(text, setting)

    monkeypatch.setattr(api_coach, "assess", spied)
    burn = "What can you do for me? Send me names."
    unasked = (
        "mutation($id: ID!, $m: String) "
        "{ recordReply(id: $id, message: $m) { introduction { status } } }"
    )
    replied = gql.as_(a, unasked, id=ids[0], m=burn)["recordReply"]
    assert replied["introduction"]["status"] == "REPLIED"
    assert assessed == []
    coached = gql.mutate(a, REPLY, id=ids[1], m=burn)
    assert assessed == [burn]
    assert "LIKELY_BURN" in coached["warnings"][0]


def spy_on_the_loop(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[bool]:
    """Replaces `owner.name` by a spy calling it; the list gets one entry per call: True
    when it ran on an event loop, False in a thread without one (a worker thread)."""
    original = getattr(owner, name)
    calls: list[bool] = []

    def spied(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            calls.append(True)
        except RuntimeError:
            calls.append(False)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spied)
    return calls


def key_reads_on_the_loop(monkeypatch: pytest.MonkeyPatch, services: Services) -> list[bool]:
    """spy_on_the_loop on the keyring's reads from storage, with no key kept in memory."""
    monkeypatch.setattr(personal_keys, "KEY_CACHE_SECONDS", 0.0)
    return spy_on_the_loop(monkeypatch, services.app.keyring, "_read_secret")


def sealed_introduction(gql: GraphQL) -> tuple[str, str, str, str]:
    """An introducer "Sealed" of A to B with the context "context": their ids and its id."""
    introducer = gql.register("Sealed")
    a, b = gql.register("A"), gql.register("B")
    iid = gql.mutate(introducer, PROPOSE, r=a, t=b, c="context")["introduction"]["id"]
    return introducer, a, b, iid
