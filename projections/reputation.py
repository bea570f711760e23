"""Introducer reputation (docs/domain.md): plain counts, and the good (r) and bad (s) weights
with forgetting, kept in O(1) per introducer.

Forgetting: with w = 2^(-age / half_life), a sum of weights at time t equals the sum at
an earlier time t0 times 2^(-(t - t0) / half_life). So each row stores r and s decayed to
one reference time (`decayed_at_us`, its latest outcome): a new outcome decays the sums to
its own time and adds 1 (or 0.5 for an expiry); a read decays them to the reader's clock.
Reading never rescans events.

The sums depend on the half-life, so the view records the half-life it was built with
(`reputation_settings`); the runner rebuilds the view when the configured one differs.
`ranking_key` is the leaderboard's index (see leaderboard.py)."""

# ruff: noqa: S608 - table and column names are this module's constants; values are
# always bound parameters.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.introduction import Introduction
from projections.base import OpenRows, Positioned, ViewProjection, columns_of
from projections.records import Reputation, copied
from projections.scoring import beta_score, decay_factor, wilson_lower_bound
from projections.views import (
    APPLICATION_NAME,
    Cursor,
    View,
    to_us,
)

Ev = Introduction


@dataclass(slots=True)
class Introducer:
    """A row of `reputation`, its fields the table's columns in order."""

    introducer_id: str
    proposed: int = 0
    consented: int = 0
    declined: int = 0
    replied: int = 0
    relationships_formed: int = 0
    burned: int = 0
    expired: int = 0
    good: float = 0.0  # r, decayed to decayed_at_us
    bad: float = 0.0  # s, likewise
    decayed_at_us: int = 0
    ranking_key: float = 0.0

    def add_outcome(self, good: float, bad: float, at_us: int, half_life: float) -> None:
        """Adds one outcome's weight, keeping the sums decayed to the latest outcome's time."""
        if at_us >= self.decayed_at_us:
            factor = decay_factor(at_us - self.decayed_at_us, half_life)
            self.good = self.good * factor + good
            self.bad = self.bad * factor + bad
            self.decayed_at_us = at_us
        else:  # an outcome stamped earlier than one already counted (clocks of two writers)
            factor = decay_factor(self.decayed_at_us - at_us, half_life)
            self.good += good * factor
            self.bad += bad * factor


@dataclass(slots=True)
class OpenIntroduction:
    """A row of `reputation_introductions`: which introducer an outcome counts for."""

    introduction_id: str
    introducer_id: str
    consents: int = 0
    replied: int = 0


COLUMNS, _introducer_values = columns_of(Introducer)

HALF_LIFE = "half_life_days"
RANKED_AT = "ranked_at_us"  # the reference time of every ranking_key


class ReputationView(View):
    name = "reputation"
    tables = ("reputation", "reputation_introductions", "reputation_settings")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {s}reputation ("
        "introducer_id TEXT PRIMARY KEY, proposed BIGINT NOT NULL, consented BIGINT NOT NULL, "
        "declined BIGINT NOT NULL, replied BIGINT NOT NULL, "
        "relationships_formed BIGINT NOT NULL, burned BIGINT NOT NULL, "
        "expired BIGINT NOT NULL, good DOUBLE PRECISION NOT NULL, "
        "bad DOUBLE PRECISION NOT NULL, decayed_at_us BIGINT NOT NULL, "
        "ranking_key DOUBLE PRECISION NOT NULL)",
        "CREATE INDEX IF NOT EXISTS reputation_by_ranking "
        "ON {s}reputation (ranking_key DESC, introducer_id)",
        # Open introductions only: which introducer an outcome counts for.
        "CREATE TABLE IF NOT EXISTS {s}reputation_introductions ("
        "introduction_id TEXT PRIMARY KEY, introducer_id TEXT NOT NULL, "
        "consents BIGINT NOT NULL, replied BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {s}reputation_settings ("
        "name TEXT PRIMARY KEY, value DOUBLE PRECISION NOT NULL)",
    )
    # Set by whoever opens the view, before create_table(): used when the view is new.
    half_life_days: float = 180.0
    created_at_us: int = 0

    def _create(self, cur: Cursor) -> None:
        super()._create(cur)
        insert = self.sql(
            "INSERT INTO {s}reputation_settings VALUES (?, ?) ON CONFLICT (name) DO NOTHING"
        )
        cur.execute(insert, (HALF_LIFE, float(self.half_life_days)))
        cur.execute(insert, (RANKED_AT, float(self.created_at_us)))

    def settings_in(self, cur: Cursor) -> tuple[float, int]:
        cur.execute(self.sql("SELECT name, value FROM {s}reputation_settings"))
        values = dict(cur.fetchall())
        return float(values[HALF_LIFE]), int(values[RANKED_AT])

    def settings(self) -> tuple[float, int]:
        """(the half-life the view was built with, the ranking's reference time)."""
        with self.read() as cur:
            return self.settings_in(cur)

    def record(self, introducer_id: str, now: datetime) -> Reputation | None:
        # One statement: the row and the half-life it was built with, read together.
        select = self.sql(
            f"SELECT {COLUMNS}, (SELECT value FROM {{s}}reputation_settings WHERE name = ?) "
            "FROM {s}reputation WHERE introducer_id = ?"
        )
        with self.read() as cur:
            cur.execute(select, (HALF_LIFE, introducer_id))
            row = cur.fetchone()
        if row is None:
            return None
        *columns, half_life = row
        return reputation_at(Introducer(*columns), now, float(half_life))

    def rows(self) -> list[tuple[Any, ...]]:
        with self.read() as cur:
            cur.execute(self.sql(f"SELECT {COLUMNS} FROM {{s}}reputation ORDER BY introducer_id"))
            return [tuple(r) for r in cur.fetchall()]

    def lock_settings(self, cur: Cursor) -> None:
        """Serialises with the projection's batches, which lock the tracking row first."""
        cur.execute(
            self.sql(
                f"UPDATE {{s}}{self.tracking_table} "
                "SET notification_id = notification_id WHERE application_name = ?"
            ),
            (APPLICATION_NAME,),
        )


def ranking_key(row: Introducer, ranked_at_us: int, half_life_days: float) -> float:
    """The row's Wilson lower bound as of the common reference time."""
    factor = decay_factor(ranked_at_us - row.decayed_at_us, half_life_days)
    return wilson_lower_bound(row.good * factor, row.bad * factor)


def reputation_at(row: Introducer, now: datetime, half_life_days: float) -> Reputation:
    """The record as of `now`: r and s decayed from the row's reference time."""
    factor = decay_factor(to_us(now) - row.decayed_at_us, half_life_days)
    good, bad = row.good * factor, row.bad * factor
    score, ranking_score = beta_score(good, bad), wilson_lower_bound(good, bad)
    return copied(Reputation, row, score=score, ranking_score=ranking_score)


class ReputationProjection(ViewProjection[ReputationView]):
    def fold(self, cur: Cursor, events: Sequence[Positioned]) -> None:
        view = self.typed_view
        half_life, ranked_at = view.settings_in(cur)
        opened = OpenRows(view, cur, "reputation_introductions", OpenIntroduction, events)
        introducers = {i.introducer_id for i in opened.rows.values()}
        introducers.update(
            e.introducer_id for _, e, _ in events if type(e) is Ev.IntroductionProposed
        )
        loaded = view.load(cur, "reputation", COLUMNS, "introducer_id", introducers)
        people = {key: Introducer(*row) for key, row in loaded.items()}
        changed: set[str] = set()

        for _, e, introduction_id in events:
            kind = type(e)
            if kind is Ev.IntroductionProposed:
                opened.open(introduction_id, OpenIntroduction(introduction_id, e.introducer_id))
                person = people.get(e.introducer_id)
                if person is None:
                    person = Introducer(e.introducer_id, decayed_at_us=to_us(e.timestamp))
                    people[e.introducer_id] = person
                person.proposed += 1
                changed.add(e.introducer_id)
                continue
            introduction = opened.rows.get(introduction_id)
            if introduction is None:
                continue  # already final: nothing can change it
            person = people[introduction.introducer_id]
            changed.add(person.introducer_id)
            if kind is Ev.ConsentGiven:
                introduction.consents += 1
                if introduction.consents == 2:
                    person.consented += 1
            elif kind is Ev.ReplyRecorded:
                if not introduction.replied:
                    introduction.replied = 1
                    person.replied += 1
            elif kind is Ev.ConsentDeclined:
                person.declined += 1
                opened.close(introduction_id)
            elif kind is Ev.RelationshipFormed:
                person.relationships_formed += 1
                person.add_outcome(1.0, 0.0, to_us(e.timestamp), half_life)
                opened.close(introduction_id)
            elif kind is Ev.IntroductionBurned:
                person.burned += 1
                person.add_outcome(0.0, 1.0, to_us(e.timestamp), half_life)
                opened.close(introduction_id)
            elif kind is Ev.IntroductionExpired:
                person.expired += 1
                person.add_outcome(0.0, 0.5, to_us(e.timestamp), half_life)
                opened.close(introduction_id)

        for introducer_id in changed:
            person = people[introducer_id]
            person.ranking_key = ranking_key(person, ranked_at, half_life)
        rows = [_introducer_values(people[i]) for i in sorted(changed)]
        view.upsert(cur, "reputation", COLUMNS, rows)
        opened.save(cur)
