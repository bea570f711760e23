"""A directory for measuring suggestedIntroductions: `people` persons with offers and
needs phrased from a shared vocabulary of fields and kinds ("marketing job leads",
"marketing hiring advice"), a connector who has introduced a fifth of them (their
network grows with the directory), introductions among the others, and declines of
some of the connector's. Many aggregates are saved per transaction, as bench/seed.py
does, so that 100,000 people take a minute rather than an hour of commands."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from bench.seed import proposed
from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from domain.person import Person

SAVE_EVERY = 500  # aggregates per transaction
NETWORK_SHARE = 5  # the connector has introduced one person in this many
OTHER_INTRODUCTIONS_SHARE = 20  # one introduction by others per this many people
DECLINED_SHARE = 20  # one of this many of the connector's introductions is declined
START = datetime(2026, 1, 1, tzinfo=UTC)
FIELDS = (
    "marketing", "sales", "product design", "data science", "fundraising", "recruiting",
    "legal", "accounting", "frontend engineering", "backend engineering", "devops",
    "security", "ux research", "copywriting", "seo", "public relations", "supply chain",
    "biotech", "healthcare", "fintech", "climate", "education", "real estate", "logistics",
    "machine learning", "mobile apps", "games", "music", "retail", "hardware",
)  # fmt: skip
NEED_KINDS = (
    "job leads", "advice", "a mentor", "feedback", "introductions", "a cofounder",
    "hires", "customers", "partners", "seed funding",
)  # fmt: skip
OFFER_KINDS = (
    "hiring advice", "mentoring", "coaching", "reviews", "jobs", "consulting",
    "angel investment", "contacts", "workshops", "partnerships",
)  # fmt: skip


def tags(rng: random.Random, kinds: tuple[str, ...]) -> list[str]:
    """None, one or two phrases, as people write them (some capitalised)."""
    found = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        phrase = f"{rng.choice(FIELDS)} {rng.choice(kinds)}"
        found.append(phrase.capitalize() if rng.random() < 0.3 else phrase)
    return found


def seed_directory(app: IntroductionsApp, people: int, seed: int = 1) -> str:
    """Appends the directory; returns the connector's id."""
    rng = random.Random(seed)
    ids: list[str] = []
    pending: list[Any] = []

    def save(aggregate: Any) -> None:
        pending.append(aggregate)
        if len(pending) >= SAVE_EVERY:
            app.save(*pending)
            pending.clear()

    for i in range(people):
        person = Person.register(
            id=UUID(int=rng.getrandbits(128)),
            display_name=f"Person {i}",
            organization=None,
            offers=tags(rng, OFFER_KINDS),
            needs=tags(rng, NEED_KINDS),
            actor_id=ADMIN,
            at=START,
        )
        ids.append(str(person.id))
        save(person)
    connector, others = ids[0], ids[1:]
    network = rng.sample(others, max(2, people // NETWORK_SHARE) // 2 * 2)
    at = START + timedelta(days=1)
    proposals = [(connector, network[i], network[i + 1]) for i in range(0, len(network), 2)]
    for _ in range(people // OTHER_INTRODUCTIONS_SHARE):
        introducer, requester, target = rng.sample(others, 3)
        proposals.append((introducer, requester, target))
    for n, trio in enumerate(proposals):
        at += timedelta(minutes=1)
        introduction = proposed(rng, trio, "suggestions", at)
        if trio[0] == connector and n % DECLINED_SHARE == DECLINED_SHARE - 1:
            introduction.decline(trio[2], "Not now.", at + timedelta(minutes=1))
        save(introduction)
    if pending:
        app.save(*pending)
    return connector
