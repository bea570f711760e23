"""The leaderboard: introducers by rankingScore, top N in one indexed query.

rankingScore depends on the time of reading: r and s of every introducer shrink by the
same factor as time passes, but the Wilson bound is not scale-free, so the order itself
can change with time (1 of 1 fades faster than 40 of 45 in bound, not in ratio). An index
cannot follow a moving order exactly, so the choice here is:

- every reputation row keeps `ranking_key`, its Wilson bound with r and s decayed to one
  common reference time (`ranked_at_us` in reputation_settings), and an index on it;
  rows changed by events get their key computed at that same reference time;
- the sweeper refreshes every key to a new reference time once it is more than
  REFRESH_AFTER old (one pass over the introducers, no events read);
- a read takes the top N + MARGIN rows from the index, computes their exact rankingScore
  at the reader's clock, re-sorts them and keeps N.

Between refreshes the order is exact as of the reference time and the scores exact as of
now; with the default half-life a day of drift scales every weight by 0.4%, far too
little to reorder anyone outside the margin. The leaderboard is not a separate view: it
is the reputation view's index, so the two can never disagree about a score."""

# ruff: noqa: S608 - table and column names are this module's constants; values are
# always bound parameters.

from __future__ import annotations

from datetime import datetime, timedelta

from projections.records import Reputation
from projections.reputation import (
    COLUMNS,
    RANKED_AT,
    Introducer,
    ReputationView,
    ranking_key,
    reputation_at,
)
from projections.views import to_us

REFRESH_AFTER = timedelta(days=1)
MARGIN = 20


def top(view: ReputationView, first: int, now: datetime) -> list[Reputation]:
    if first <= 0:
        return []
    with view.read() as cur:
        half_life, _ = view.settings_in(cur)
        cur.execute(
            view.sql(
                f"SELECT {COLUMNS} FROM {{s}}reputation "
                "ORDER BY ranking_key DESC, introducer_id LIMIT ?"
            ),
            (first + MARGIN,),
        )
        rows = cur.fetchall()
    records = [reputation_at(Introducer(*row), now, half_life) for row in rows]
    records.sort(key=lambda r: (-r.ranking_score, r.introducer_id))
    return records[:first]


def needs_refresh(view: ReputationView, now: datetime) -> bool:
    _, ranked_at = view.settings()
    return abs(to_us(now) - ranked_at) > REFRESH_AFTER / timedelta(microseconds=1)


def refresh(view: ReputationView, at: datetime) -> int:
    """Recomputes every ranking key as of `at`; returns the number of introducers."""
    at_us = to_us(at)
    with view.write() as cur:
        view.lock_settings(cur)
        half_life, _ = view.settings_in(cur)
        cur.execute(view.sql(f"SELECT {COLUMNS} FROM {{s}}reputation"))
        rows = cur.fetchall()
        keys = [(ranking_key(Introducer(*row), at_us, half_life), row[0]) for row in rows]
        cur.executemany(
            view.sql("UPDATE {s}reputation SET ranking_key = ? WHERE introducer_id = ?"), keys
        )
        cur.execute(
            view.sql("UPDATE {s}reputation_settings SET value = ? WHERE name = ?"),
            (float(at_us), RANKED_AT),
        )
    return len(keys)
