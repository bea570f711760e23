"""Expiry candidates: the introductions that are CONSENTED, by the time both consents were
given, so that the sweeper finds the stale ones in one indexed range query.

A row exists from the proposal (to count consents) until the introduction leaves the
CONSENTED path (a reply, a decline or any final event); `consented_at_us` is set by the
second consent, the same instant the aggregate measures the expiry period from."""

# ruff: noqa: S608 - table and column names are this module's constants; values are
# always bound parameters.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.introduction import Introduction
from projections.base import OpenRows, Positioned, ViewProjection, columns_of
from projections.views import Cursor, View, to_us

Ev = Introduction


@dataclass(slots=True)
class Candidate:
    """A row of `expiry_candidates`, its fields the table's columns in order."""

    introduction_id: str
    consents: int = 0
    consented_at_us: int | None = None  # set by the second consent


COLUMNS, _ = columns_of(Candidate)


class ExpiryCandidatesView(View):
    name = "expiry_candidates"
    tables = ("expiry_candidates",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS {s}expiry_candidates ("
        "introduction_id TEXT PRIMARY KEY, consents BIGINT NOT NULL, consented_at_us BIGINT)",
        "CREATE INDEX IF NOT EXISTS expiry_candidates_by_consent "
        "ON {s}expiry_candidates (consented_at_us, introduction_id) "
        "WHERE consented_at_us IS NOT NULL",
    )

    def due(self, consented_before: datetime, limit: int = 500) -> list[str]:
        """Introductions CONSENTED at or before `consented_before`, oldest first."""
        with self.read() as cur:
            cur.execute(
                self.sql(
                    "SELECT introduction_id FROM {s}expiry_candidates "
                    "WHERE consented_at_us IS NOT NULL AND consented_at_us <= ? "
                    "ORDER BY consented_at_us, introduction_id LIMIT ?"
                ),
                (to_us(consented_before), limit),
            )
            return [row[0] for row in cur.fetchall()]

    def rows(self) -> list[tuple[Any, ...]]:
        with self.read() as cur:
            cur.execute(
                self.sql(f"SELECT {COLUMNS} FROM {{s}}expiry_candidates ORDER BY introduction_id")
            )
            return [tuple(r) for r in cur.fetchall()]


class ExpiryCandidatesProjection(ViewProjection[ExpiryCandidatesView]):
    def fold(self, cur: Cursor, events: Sequence[Positioned]) -> None:
        view = self.typed_view
        candidates = OpenRows(view, cur, "expiry_candidates", Candidate, events)
        rows = candidates.rows
        for _, e, introduction_id in events:
            kind = type(e)
            if kind is Ev.IntroductionProposed:
                candidates.open(introduction_id, Candidate(introduction_id))
            elif introduction_id in rows:
                if kind is Ev.ConsentGiven:
                    row = rows[introduction_id]
                    row.consents += 1
                    if row.consents == 2:
                        row.consented_at_us = to_us(e.timestamp)
                else:  # a reply or an ending: it can no longer expire
                    candidates.close(introduction_id)
        candidates.save(cur)
