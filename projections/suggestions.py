"""Suggested introductions for a connector: pairs (requester, target) of their network
whose needs meet offers on a normalised term (projections/suggestion_index.py), ranked
by how many terms meet, and said in words. Never a pair already introduced to each other,
nor anyone screened AVOID or who declined an introduction of this connector; CAUTION
halves the score, and the reasons say why.

Cost: the term join finds the matches (requesters limited to the network); only then are
screenings and earlier introductions looked up, for the best pairs first, until `first`
are kept. Nothing is proportional to the square of the network."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import BadInput
from projections.registry import Views
from projections.screening import AVOID, CAUTION
from projections.suggestion_index import TermMatch

MAX_FIRST = 100
CAUTION_FACTOR = 0.5


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
    network = None if everyone else views.introduction_list.network_of(connector)
    if first == 0 or network == set():
        return []
    index = views.suggestion_index
    excluded = index.declined(connector) | {connector}
    pairs: dict[tuple[str, str], list[TermMatch]] = {}
    for m in index.matches(None if network is None else sorted(network)):
        if network is not None and m.target_id not in network:
            continue
        if m.requester_id in excluded or m.target_id in excluded:
            continue
        pairs.setdefault((m.requester_id, m.target_id), []).append(m)
    ranked = sorted(pairs.items(), key=lambda p: (-_shared(p[1]), p[0]))
    screened: dict[str, tuple[str, list[str]]] = {}
    kept: list[tuple[tuple[str, str], float, list[TermMatch], list[str]]] = []
    for pair, matches in ranked:
        if len(kept) >= first and _score(matches) <= kept[first - 1][1]:
            break  # ranked by their best score: none further can displace what is kept
        for person in pair:
            if person not in screened:
                record = views.track_record.record(person)
                screened[person] = (record.screening, record.reasons)
        if any(screened[p][0] == AVOID for p in pair):
            continue
        if views.introduction_list.introduced_to_each_other(*pair):
            continue
        cautions = [p for p in pair if screened[p][0] == CAUTION]
        kept.append((pair, _score(matches) * CAUTION_FACTOR ** len(cautions), matches, cautions))
        kept.sort(key=lambda k: (-k[1], k[0]))
    kept = kept[:first]
    names = views.people.display_names(sorted({p for k in kept for p in k[0]}))
    return [
        Suggestion(
            pair[0],
            pair[1],
            round(score, 4),
            _reasons(pair, matches, names) + [_caution(p, names, screened[p][1]) for p in cautions],
        )
        for pair, score, matches, cautions in kept
    ]


def _shared(matches: list[TermMatch]) -> int:
    return len({m.term for m in matches})


def _score(matches: list[TermMatch]) -> float:
    """1/2 for one term in common, 2/3 for two, 3/4 for three…: more is better, below 1."""
    shared = _shared(matches)
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
