"""Suggested introductions for a connector: pairs (requester, target) of their network
whose needs meet offers on a normalised term (projections/suggestion_index.py), ranked
by how many terms meet, and said in words. Never a pair already introduced to each other,
nor anyone screened AVOID or who declined an introduction of this connector; CAUTION
halves the score, and the reasons say why.

Which part of the network: the people of the connector's RECENT_INTRODUCTIONS latest
introductions, or for the admin (whose network is everyone) the RECENT_PROFILES people
whose offers or needs were written last. So the cost is the matches within that window,
found through the index (one lookup per person of it, then a join on the term in memory),
whatever the size of the directory or of the connector's whole network; only then are
screenings and earlier introductions looked up, best pairs first, until `first` are kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from domain.errors import BadInput
from projections.registry import Views
from projections.screening import Screening
from projections.suggestion_index import NEED, OFFER, TermMatch, TermRow

MAX_FIRST = 100
CAUTION_FACTOR = 0.5
RECENT_INTRODUCTIONS = 100  # at most twice as many people
RECENT_PROFILES = 200


@dataclass(frozen=True)
class Suggestion:
    requester_id: str
    target_id: str
    score: float
    reasons: list[str]


def suggest(views: Views, connector: str, *, everyone: bool, first: int = 10) -> list[Suggestion]:
    """`everyone`: the connector's network is the whole directory (the admin)."""
    if not 0 <= first <= MAX_FIRST:
        msg = f"first must be between 0 and {MAX_FIRST}."
        raise BadInput(msg, field="first")
    index = views.suggestion_index
    window = (
        index.recently_profiled(RECENT_PROFILES)
        if everyone
        else views.introduction_list.recent_contacts(connector, RECENT_INTRODUCTIONS)
    )
    if first == 0 or not window:
        return []
    excluded = index.declined_among(connector, window) | {connector}
    rows = index.terms_of([p for p in window if p not in excluded])
    screened: dict[str, tuple[str, list[str]]] = {}
    kept: list[tuple[tuple[str, str], float, list[str]]] = []
    for shared, pair in _ranked(rows):
        if len(kept) >= first and _score(shared) <= kept[first - 1][1]:
            break  # ranked by their best score: none further can displace what is kept
        for person in pair:
            if person not in screened:
                record = views.track_record.record(person)
                screened[person] = (record.screening, record.reasons)
        if any(screened[p][0] == Screening.AVOID for p in pair):
            continue
        if views.introduction_list.introduced_to_each_other(*pair):
            continue
        cautions = [p for p in pair if screened[p][0] == Screening.CAUTION]
        kept.append((pair, _score(shared) * CAUTION_FACTOR ** len(cautions), cautions))
        kept.sort(key=lambda k: (-k[1], k[0]))
    kept = kept[:first]
    shown = {p for k in kept for p in k[0]}
    names = views.people.display_names(sorted(shown))
    of_kept = [r for r in rows if r.person_id in shown]
    return [
        Suggestion(
            pair[0],
            pair[1],
            round(score, 4),
            _reasons(pair, _matches(of_kept, pair), names)
            + [_caution(p, names, screened[p][1]) for p in cautions],
        )
        for pair, score, cautions in kept
    ]


def _ranked(rows: list[TermRow]) -> Iterator[tuple[int, tuple[str, str]]]:
    """(terms shared, (requester, target)) of every need meeting someone else's offer,
    most terms first, then by ids. Counted per pair (the C loop of Counter.update) and
    sorted one count at a time, lazily: the caller mostly stops within the first."""
    people: dict[str, dict[str, set[str]]] = {NEED: {}, OFFER: {}}
    for r in rows:
        people[r.side].setdefault(r.term, set()).add(r.person_id)
    counts: Counter[tuple[str, str]] = Counter()
    for term, needing in people[NEED].items():
        offering = people[OFFER].get(term)
        if offering:
            counts.update((n, o) for n in needing for o in offering if n != o)
    by_count: dict[int, list[tuple[str, str]]] = {}
    for pair, count in counts.items():
        by_count.setdefault(count, []).append(pair)
    for count in sorted(by_count, reverse=True):
        for pair in sorted(by_count[count]):
            yield count, pair


def _matches(rows: list[TermRow], pair: tuple[str, str]) -> list[TermMatch]:
    """The requester's needs meeting the target's offers, term by term."""
    requester, target = pair
    needs = [r for r in rows if r.person_id == requester and r.side == NEED]
    offers = [r for r in rows if r.person_id == target and r.side == OFFER]
    return [
        TermMatch(requester, n.tag, target, o.tag, n.term)
        for n in needs
        for o in offers
        if n.term == o.term
    ]


def _score(shared: int) -> float:
    """1/2 for one term in common, 2/3 for two, 3/4 for three…: more is better, below 1."""
    return shared / (shared + 1)


def _reasons(pair: tuple[str, str], matches: list[TermMatch], names: dict[str, str]) -> list[str]:
    requester, target = (names.get(p, p) for p in pair)
    said = dict.fromkeys(
        f"{requester} needs: {m.need}; {target} offers: {m.offer}"
        for m in sorted(matches, key=lambda m: (m.need, m.offer))
    )
    return list(said)


def _caution(person: str, names: dict[str, str], why: list[str]) -> str:
    because = f": {'; '.join(why)}" if why else ""
    return f"Ranked down: {names.get(person, person)} is screened CAUTION{because}"
