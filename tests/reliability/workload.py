"""A random write load through real HTTP: clients race commands on a fixed set of pairs,
and a ledger keeps every event the service acknowledged, to be found in the log later."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.api import graphql_client as docs
from tests.api.graphql_client import GraphQL

FINAL = {"RELATIONSHIP_FORMED", "BURNED", "DECLINED", "EXPIRED"}
# What a racing client may be told: someone else moved first, or the pair is still busy.
EXPECTED_REFUSALS = {"CONCURRENCY_CONFLICT", "INVALID_TRANSITION", "BAD_USER_INPUT", "FORBIDDEN"}
EVENT_OF = {
    "propose": "IntroductionProposed",
    "consent": "ConsentGiven",
    "decline": "ConsentDeclined",
    "reply": "ReplyRecorded",
    "relationship": "RelationshipFormed",
    "burn": "IntroductionBurned",
}
# Declines end an introduction at once: rarer, so that most get far along.
WEIGHTS = {"consent": 6, "reply": 4, "relationship": 2, "burn": 1, "decline": 1}


@dataclass
class Slot:
    """Three people; one introduction of them is open at a time (the pair index's rule)."""

    introducer: str
    requester: str
    target: str
    introduction: str | None = None
    version: int = 0


@dataclass
class Ledger:
    """Every event a client was told is recorded, and anything a client should not see."""

    acknowledged: dict[tuple[str, int], str] = field(default_factory=dict)
    twice: list[tuple[str, int]] = field(default_factory=list)  # a lost update
    refusals: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, introduction: str, version: int, event: str) -> None:
        with self.lock:
            if (introduction, version) in self.acknowledged:
                self.twice.append((introduction, version))
            self.acknowledged[(introduction, version)] = event

    def refuse(self, code: str) -> None:
        with self.lock:
            self.refusals[code] += 1

    def surprise(self, what: str) -> None:
        with self.lock:
            self.unexpected.append(what[:500])

    def introductions(self) -> set[str]:
        with self.lock:
            return {i for i, _ in self.acknowledged}

    def versions(self, introduction: str) -> dict[int, str]:
        with self.lock:
            return {v: e for (i, v), e in self.acknowledged.items() if i == introduction}


def cast(gql: GraphQL, slots: int, ledger: Ledger, people: int = 12) -> list[Slot]:
    """Registers `people` people and opens one introduction on each of `slots` pairs
    (acknowledged in the ledger)."""
    ids = [gql.register(f"Person {n}") for n in range(people)]
    rng = random.Random(slots)
    result: list[Slot] = []
    seen: set[tuple[str, str, str]] = set()
    while len(result) < slots:
        introducer, requester, target = rng.sample(ids, 3)
        if (introducer, requester, target) in seen:
            continue
        seen.add((introducer, requester, target))
        slot = Slot(introducer, requester, target)
        payload = gql.mutate(introducer, docs.PROPOSE, r=requester, t=target, c="Meet.")
        slot.introduction = payload["introduction"]["id"]
        slot.version = 1
        ledger.acknowledge(slot.introduction, 1, EVENT_OF["propose"])
        result.append(slot)
    return result


class Client:
    """One racing client: its own connection, its own random choices."""

    def __init__(
        self, gql: GraphQL, slots: list[Slot], ledger: Ledger, seed: int, tolerate: str = ""
    ) -> None:
        self.gql = gql
        self.slots = slots
        self.ledger = ledger
        self.rng = random.Random(seed)
        self.tolerate = tolerate  # a top-level error code counted as a refusal (an outage)

    def run(self, until: float, stop: threading.Event) -> None:
        while time.monotonic() < until and not stop.is_set():
            try:
                self.step(self.rng.choice(self.slots))
            except httpx.TransportError:
                # The server went away (a crash test sets `stop` as it kills): what was in
                # flight is unanswered.
                if stop.wait(5):
                    return
                raise

    def step(self, slot: Slot) -> None:
        introduction, version = slot.introduction, slot.version
        if introduction is None:
            self.propose(slot)
            return
        command = self.rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
        expected = version if self.rng.random() < 0.5 else None
        parties = [slot.requester, slot.target]
        actor = self.rng.choice(
            [*parties, slot.introducer] if command in {"relationship", "burn"} else parties
        )
        variables: dict[str, Any] = {"id": introduction, "v": expected}
        if command == "burn":
            blamed = self.rng.choice([p for p in (*parties, slot.introducer) if p != actor])
            variables.update(blamed=blamed, reason="TRANSACTIONAL_ASK", cause="SKILL")
        document = {
            "consent": docs.CONSENT,
            "decline": docs.DECLINE,
            "reply": docs.REPLY,
            "relationship": docs.FORMED,
            "burn": docs.BURN,
        }[command]
        payload = self.send(actor, document, variables)
        if payload is None:
            return
        if payload["errors"]:
            code = payload["errors"][0]["code"]
            self.ledger.refuse(code)
            if code == "INVALID_TRANSITION":
                self.refresh(slot, actor, introduction)
            return
        node = payload["introduction"]
        self.ledger.acknowledge(node["id"], node["version"], EVENT_OF[command])
        self.settle(slot, introduction, node)

    def propose(self, slot: Slot) -> None:
        variables = {"r": slot.requester, "t": slot.target, "c": "Meet again."}
        payload = self.send(slot.introducer, docs.PROPOSE, variables)
        if payload is None:
            return
        if payload["errors"]:
            self.ledger.refuse(payload["errors"][0]["code"])
            return
        node = payload["introduction"]
        self.ledger.acknowledge(node["id"], node["version"], EVENT_OF["propose"])
        slot.introduction, slot.version = node["id"], node["version"]

    def refresh(self, slot: Slot, actor: str, introduction: str) -> None:
        node = self.send(actor, docs.INTRODUCTION, {"id": introduction})
        if node is not None:
            self.settle(slot, introduction, node)

    @staticmethod
    def settle(slot: Slot, introduction: str, node: dict[str, Any]) -> None:
        if slot.introduction != introduction:
            return  # another client already moved this slot on
        if node["status"] in FINAL:
            slot.introduction = None
        else:
            slot.version = max(slot.version, node["version"])

    def send(self, actor: str, document: str, variables: dict[str, Any]) -> Any:
        """The value of a one-field operation, or None (after noting it) for an answer
        that is no success."""
        response = self.gql.raw(document, self.gql.tokens[actor], **variables)
        body = (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else None
        )
        errors = (body or {}).get("errors") or []
        codes = {(e.get("extensions") or {}).get("code") for e in errors}
        if self.tolerate and codes == {self.tolerate}:
            self.ledger.refuse(self.tolerate)
            return None
        if response.status_code != 200 or body is None or errors:
            self.ledger.surprise(f"{response.status_code} {response.text}")
            return None
        return next(iter(body["data"].values()))


def race(
    gql_for: Any,
    slots: list[Slot],
    ledger: Ledger,
    clients: int,
    seconds: float,
    stop: threading.Event | None = None,
    tolerate: str = "",
) -> None:
    """`clients` threads, each with its own connection (gql_for(n) -> GraphQL), race for
    `seconds` (or until `stop` is set)."""
    stop = stop or threading.Event()
    until = time.monotonic() + seconds
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            Client(gql_for(n), slots, ledger, seed=n, tolerate=tolerate).run(until, stop)
        except BaseException as e:  # reported by the caller
            errors.append(e)

    threads = [threading.Thread(target=one, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    if errors:
        raise errors[0]
