"""suggestedIntroductions on SQLite and PostgreSQL, over a seeded network: the pairs whose
needs meet offers come first with their reasons in words; AVOID never appears, CAUTION is
ranked down and said; a pair introduced since disappears; whoever declined the connector
is never suggested to them again; the connector sees their own network only."""

from __future__ import annotations

from typing import Any

import pytest

from projections import suggestions
from tests.api.graphql_client import BURN, CONSENT, DECLINE, PROPOSE, GraphQL

SUGGESTED = """query($first: Int) { suggestedIntroductions(first: $first) {
  requester { id displayName } target { id displayName } score reasons } }"""


def burned_blaming(gql: GraphQL, introducer: str, blamed: str, other: str) -> None:
    iid = gql.mutate(introducer, PROPOSE, r=blamed, t=other, c="c")["introduction"]["id"]
    gql.mutate(blamed, CONSENT, id=iid)
    gql.mutate(other, CONSENT, id=iid)
    gql.mutate(other, BURN, id=iid, blamed=blamed, reason="TRANSACTIONAL_ASK", cause="SKILL")


def seeded(gql: GraphQL) -> dict[str, str]:
    profiles: dict[str, dict[str, Any]] = {
        "Kent": {},
        "Olga": {},
        "Jim": {"needs": ["marketing job leads"]},
        "Maria": {"offers": ["Marketing hiring advice"]},
        "Carl": {"offers": ["marketing leads"]},  # would rank first: AVOID
        "Fay": {"offers": ["marketing job boards"]},  # declined Kent
        "Alice": {"needs": ["design feedback"]},
        "Bob": {"offers": ["product designers"]},  # CAUTION
        "Dana": {"needs": ["sales coaching"]},
        "Eve": {"offers": ["Sales coaches"]},
        "Zed": {"offers": ["marketing jobs"]},  # outside Kent's network
        "P1": {},
        "P2": {},
        "P3": {},
        "Q1": {},
    }
    ids = {name: gql.register(name, **extra) for name, extra in profiles.items()}
    kent = ids["Kent"]
    for requester, target in (("Jim", "Alice"), ("Maria", "Bob"), ("Dana", "Carl")):
        gql.mutate(kent, PROPOSE, r=ids[requester], t=ids[target], c="c")
    declined = gql.mutate(kent, PROPOSE, r=ids["Eve"], t=ids["Fay"], c="c")["introduction"]
    gql.mutate(ids["Fay"], DECLINE, id=declined["id"], reason="not now")
    for p in ("P1", "P2", "P3"):
        burned_blaming(gql, ids["Olga"], ids["Carl"], ids[p])
    burned_blaming(gql, ids["Olga"], ids["Bob"], ids["Q1"])
    return ids


def pairs(suggestions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(s["requester"]["displayName"], s["target"]["displayName"]) for s in suggestions]


def test_needs_meet_offers_in_the_connectors_network(gql: GraphQL) -> None:
    ids = seeded(gql)
    kent = ids["Kent"]
    found = gql.as_(kent, SUGGESTED)["suggestedIntroductions"]
    assert pairs(found) == [("Dana", "Eve"), ("Jim", "Maria"), ("Alice", "Bob")]
    dana_eve, jim_maria, alice_bob = found
    assert dana_eve["reasons"] == ["Dana needs: sales coaching; Eve offers: Sales coaches"]
    assert jim_maria["reasons"] == [
        "Jim needs: marketing job leads; Maria offers: Marketing hiring advice"
    ]
    assert dana_eve["score"] > jim_maria["score"] > alice_bob["score"]
    assert alice_bob["reasons"][0] == "Alice needs: design feedback; Bob offers: product designers"
    assert alice_bob["reasons"][1].startswith("Ranked down: Bob is screened CAUTION: blamed in 1")
    assert pairs(gql.as_(kent, SUGGESTED, first=1)["suggestedIntroductions"]) == [("Dana", "Eve")]

    # The admin's network is everyone: Zed appears, and Fay (who declined Kent, not the
    # admin); Carl (AVOID) never does.
    everyone = pairs(gql.admin(SUGGESTED, first=50)["suggestedIntroductions"])
    assert ("Jim", "Zed") in everyone
    assert ("Jim", "Fay") in everyone
    assert all("Carl" not in pair for pair in everyone)
    assert not {"Carl", "Fay", "Zed"} & {name for pair in pairs(found) for name in pair}

    # Dana is introduced to Eve, by someone else: the pair is no longer suggested.
    gql.mutate(ids["Olga"], PROPOSE, r=ids["Dana"], t=ids["Eve"], c="c")
    after = pairs(gql.as_(kent, SUGGESTED)["suggestedIntroductions"])
    assert after == [("Jim", "Maria"), ("Alice", "Bob")]


def test_profile_updates_change_what_is_suggested(gql: GraphQL) -> None:
    from tests.api.test_profiles import UPDATE

    ids = seeded(gql)
    # Maria now offers design help too; Fay's new offers still never reach Kent.
    gql.mutate(ids["Maria"], UPDATE, input={"offers": ["Design reviews"]})
    gql.mutate(ids["Fay"], UPDATE, input={"offers": ["designs", "sales coaching"]})
    found = pairs(gql.as_(ids["Kent"], SUGGESTED)["suggestedIntroductions"])
    assert found == [("Dana", "Eve"), ("Alice", "Maria"), ("Alice", "Bob")]


def test_a_person_without_introductions_has_no_suggestions_and_first_is_checked(
    gql: GraphQL,
) -> None:
    loner = gql.register("Loner", needs=["marketing"])
    gql.register("Maria", offers=["marketing"])
    assert gql.as_(loner, SUGGESTED)["suggestedIntroductions"] == []
    answer = gql.result(SUGGESTED, gql.tokens[loner], first=-1)
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_suggestions_are_drawn_from_the_latest_introductions_and_profiles(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window that bounds the query's cost, whatever the size of the network."""
    from tests.api.test_profiles import UPDATE

    monkeypatch.setattr(suggestions, "RECENT_INTRODUCTIONS", 2)
    monkeypatch.setattr(suggestions, "RECENT_PROFILES", 2)
    kent, nobody = gql.register("Kent"), gql.register("Nobody")
    old = gql.register("Old", needs=["sales coaching"])
    eve = gql.register("Eve", offers=["sales coaches"])
    jim = gql.register("Jim", needs=["marketing advice"])
    maria = gql.register("Maria", offers=["marketing advice"])
    for person in (old, eve, jim, maria):  # Kent's latest two: Jim's, then Maria's
        gql.mutate(kent, PROPOSE, r=person, t=nobody, c="c")
    assert pairs(gql.as_(kent, SUGGESTED)["suggestedIntroductions"]) == [("Jim", "Maria")]
    # The admin's: the two profiles written last (people without offers or needs aside).
    assert pairs(gql.admin(SUGGESTED)["suggestedIntroductions"]) == [("Jim", "Maria")]
    gql.mutate(old, UPDATE, input={"needs": ["marketing advice"]})
    assert pairs(gql.admin(SUGGESTED)["suggestedIntroductions"]) == [("Old", "Maria")]
