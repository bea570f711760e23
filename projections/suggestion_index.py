"""What suggested introductions are made from. What people offer and need, by normalised
term: an index from term to people (one row per term, side, person and tag), kept from
PersonRegistered and PersonProfileUpdated, so that matching needs with offers is one join
on the term and costs the matches found, not the square of the network. And who declined
an introduction of which introducer (from IntroductionProposed and ConsentDeclined).

A term is a word of a tag, folded like names (case and accents), without the words that
match everything ("and", "for", "help", …), stemmed by the Snowball English stemmer
("leads" → "lead", "marketer" and "marketing" → "market", "hiring" → "hire")."""


# always bound parameters.

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

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


@dataclass(frozen=True)
class TermMatch:
    requester_id: str
    need: str
    target_id: str
    offer: str
    term: str


class SuggestionIndexView(View):
    name = "suggestion_index"
    tables = ("offer_need_terms", "introducers", "declined_introducers")
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

    def matches(self, requesters: Sequence[str] | None) -> list[TermMatch]:
        """Every (need, offer) pair of two people sharing a term, the needs of
        `requesters` only when given (everyone's when None)."""
        sql = (
            "SELECT n.person_id, n.tag, o.person_id, o.tag, n.term FROM {s}offer_need_terms n "
            "JOIN {s}offer_need_terms o ON o.term = n.term AND o.side = ? "
            "WHERE n.side = ? AND o.person_id <> n.person_id"
        )
        found: list[TermMatch] = []
        with self.read() as cur:
            if requesters is None:
                cur.execute(self.sql(sql), (OFFER, NEED))
                found += [TermMatch(*r) for r in cur.fetchall()]
                return found
            ids = list(requesters)
            for start in range(0, len(ids), 500):  # bounded statements on both backends
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                cur.execute(self.sql(f"{sql} AND n.person_id IN ({marks})"), (OFFER, NEED, *chunk))
                found += [TermMatch(*r) for r in cur.fetchall()]
        return found

    def declined(self, introducer_id: str) -> set[str]:
        """Everyone who ever declined an introduction of this introducer."""
        with self.read() as cur:
            cur.execute(
                self.sql("SELECT person_id FROM {s}declined_introducers WHERE introducer_id = ?"),
                (introducer_id,),
            )
            return {r[0] for r in cur.fetchall()}


class SuggestionIndexProjection(ViewProjection[SuggestionIndexView]):
    name = "suggestion_index"
    event_types = frozenset(PROFILE_EVENTS + DECLINE_EVENTS)

    def fold(self, cur: Cursor, events: Sequence[Positioned]) -> None:
        view = self.typed_view
        terms_rows: list[tuple[str, ...]] = []
        introducers: dict[str, str] = {}  # proposed in this batch
        declines: set[tuple[str, str]] = set()
        for _, e, aggregate_id in events:
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
                if kind is not Person.PersonForgotten:
                    terms_rows += rows_of(aggregate_id, plain(e.offers) or [], plain(e.needs) or [])
        view.insert(cur, "offer_need_terms", COLUMNS, terms_rows)
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
