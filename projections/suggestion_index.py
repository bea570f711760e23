"""What suggested introductions are made from. What people offer and need, by normalised
term: an index from term to people (one row per term, side, person and tag), kept from
PersonRegistered and PersonProfileUpdated, so that matching needs with offers is one join
on the term and costs the matches found, not the square of the network. And who declined
an introduction of which introducer (from IntroductionProposed and ConsentDeclined).

A term is a word of a tag, folded like names (case and accents), without the words that
match everything ("and", "for", "help", …), stemmed by the Snowball English stemmer
("leads" → "lead", "marketer" and "marketing" → "market", "hiring" → "hire")."""

# ruff: noqa: S608 - table and column names are this module's constants; values are
# always bound parameters.

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer

from domain.introduction import Introduction
from domain.person import Person
from domain.personal import plain
from projections.base import Positioned, ViewProjection
from projections.people import words
from projections.views import Cursor, View

OFFER, NEED = "o", "n"
COLUMNS = "term, side, person_id, tag"
DECLINE_COLUMNS = "introducer_id, person_id"
PROFILE_EVENTS = (Person.PersonRegistered, Person.PersonProfileUpdated, Person.PersonForgotten)
DECLINE_EVENTS = (Introduction.IntroductionProposed, Introduction.ConsentDeclined)
# Words that would match everyone with everyone.
STOPWORDS = frozenset(
    "a an and any as at by for from help in into of on or some the to with who want "  # noqa: SIM905
    "wants need needs looking seeking offer offers".split()
)
_ENGLISH = snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    # The pure-Python stemmer takes tens of microseconds a word; tags repeat words.
    return str(_ENGLISH.stemWord(word))


def terms(tag: str) -> set[str]:
    return {stem(w) for w in words(tag) if w not in STOPWORDS and len(w) > 1}


def rows_of(person_id: str, offers: Iterable[str], needs: Iterable[str]) -> list[tuple[str, ...]]:
    found = {
        (t, side, person_id, tag)
        for side, tags in ((OFFER, offers), (NEED, needs))
        for tag in tags
        for t in terms(tag)
    }
    return sorted(found)


class TermRow(NamedTuple):  # a tuple: a window's thousand rows are made per query
    term: str
    side: str
    person_id: str
    tag: str


@dataclass(frozen=True)
class TermMatch:
    requester_id: str
    need: str
    target_id: str
    offer: str
    term: str


class SuggestionIndexView(View):
    name = "suggestion_index"
    tables = ("offer_need_terms", "introducers", "declined_introducers", "profiled_people")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {s}offer_need_terms ("
        "term TEXT NOT NULL, side TEXT NOT NULL, person_id TEXT NOT NULL, tag TEXT NOT NULL, "
        "PRIMARY KEY (term, side, person_id, tag))",
        "CREATE INDEX IF NOT EXISTS offer_need_terms_by_person "
        "ON {s}offer_need_terms (person_id, side)",
        "CREATE TABLE IF NOT EXISTS {s}introducers ("
        "introduction_id TEXT PRIMARY KEY, introducer_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {s}declined_introducers ("
        "introducer_id TEXT NOT NULL, person_id TEXT NOT NULL, "
        "PRIMARY KEY (introducer_id, person_id))",
    )
    upgrades = (
        # Who has offers or needs, by the log position of their profile's last write:
        # the admin's suggestions are drawn from the latest (views built before version
        # 2 list everyone at position 0 until rebuilt).
        (
            "CREATE TABLE IF NOT EXISTS {s}profiled_people ("
            "person_id TEXT PRIMARY KEY, position BIGINT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS profiled_people_by_position "
            "ON {s}profiled_people (position)",
            "INSERT INTO {s}profiled_people (person_id, position) "
            "SELECT DISTINCT person_id, 0 FROM {s}offer_need_terms WHERE true "
            "ON CONFLICT (person_id) DO NOTHING",  # WHERE: SQLite's parse of ON CONFLICT
        ),
    )

    def terms_of(self, person_ids: Sequence[str]) -> list[TermRow]:
        """The offer and need terms of these people (an index lookup per person)."""
        found: list[TermRow] = []
        with self.read() as cur:
            for start in range(0, len(person_ids), 500):  # bounded statements on both backends
                chunk = list(person_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                where = f"WHERE person_id IN ({marks})"
                cur.execute(self.sql(f"SELECT {COLUMNS} FROM {{s}}offer_need_terms {where}"), chunk)
                found += map(TermRow._make, cur.fetchall())
        return found

    def recently_profiled(self, limit: int) -> list[str]:
        """The `limit` people whose offers or needs were written last, newest first."""
        with self.read() as cur:
            cur.execute(
                self.sql(
                    "SELECT person_id FROM {s}profiled_people "
                    "ORDER BY position DESC, person_id LIMIT ?"
                ),
                (limit,),
            )
            return [r[0] for r in cur.fetchall()]

    def declined_among(self, introducer_id: str, person_ids: Sequence[str]) -> set[str]:
        """Those of `person_ids` who ever declined an introduction of this introducer."""
        found: set[str] = set()
        with self.read() as cur:
            for start in range(0, len(person_ids), 500):
                chunk = list(person_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                cur.execute(
                    self.sql(
                        "SELECT person_id FROM {s}declined_introducers "
                        f"WHERE introducer_id = ? AND person_id IN ({marks})"
                    ),
                    (introducer_id, *chunk),
                )
                found.update(r[0] for r in cur.fetchall())
        return found


class SuggestionIndexProjection(ViewProjection[SuggestionIndexView]):
    name = "suggestion_index"
    event_types = frozenset(PROFILE_EVENTS + DECLINE_EVENTS)

    def fold(self, cur: Cursor, events: Sequence[Positioned]) -> None:
        view = self.typed_view
        terms_rows: list[tuple[str, ...]] = []
        introducers: dict[str, str] = {}  # proposed in this batch
        declines: set[tuple[str, str]] = set()
        profiled: dict[str, int | None] = {}  # position of the last write; None: no terms
        for position, e, aggregate_id in events:
            kind = type(e)
            if kind is Introduction.IntroductionProposed:
                introducers[aggregate_id] = e.introducer_id
            elif kind is Introduction.ConsentDeclined:
                introducer = introducers.get(aggregate_id) or self.introducer(cur, aggregate_id)
                declines.add((introducer, e.actor_id))
            else:
                if kind is not Person.PersonRegistered:  # updated or forgotten
                    # rare: the rows gathered so far go first, as a rebuild would write them
                    view.insert(cur, "offer_need_terms", COLUMNS, terms_rows)
                    terms_rows = []
                    cur.execute(
                        view.sql("DELETE FROM {s}offer_need_terms WHERE person_id = ?"),
                        (aggregate_id,),
                    )
                written = (
                    []
                    if kind is Person.PersonForgotten
                    else rows_of(aggregate_id, plain(e.offers) or [], plain(e.needs) or [])
                )
                terms_rows += written
                profiled[aggregate_id] = position if written else None
        view.insert(cur, "offer_need_terms", COLUMNS, terms_rows)
        emptied = [p for p, at in profiled.items() if at is None]
        view.delete(cur, "profiled_people", "person_id", emptied)
        view.upsert(
            cur,
            "profiled_people",
            "person_id, position",
            [(p, at) for p, at in profiled.items() if at is not None],
        )
        view.insert(
            cur, "introducers", "introduction_id, introducer_id", sorted(introducers.items())
        )
        if declines:
            cur.executemany(
                view.sql(
                    "INSERT INTO {s}declined_introducers (introducer_id, person_id) "
                    "VALUES (?, ?) ON CONFLICT DO NOTHING"
                ),
                sorted(declines),
            )

    def introducer(self, cur: Cursor, introduction_id: str) -> str:
        cur.execute(
            self.typed_view.sql(
                "SELECT introducer_id FROM {s}introducers WHERE introduction_id = ?"
            ),
            (introduction_id,),
        )
        return str(cur.fetchone()[0])
