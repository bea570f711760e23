"""Finding people (`people(search:)`) and listing one's own tokens (`myTokens`), on
SQLite and on PostgreSQL, through the API with the projections running."""

from __future__ import annotations

from typing import Any

import pytest

from api.services import Services
from projections.people import encode_cursor, search_words
from tests.api.graphql_client import GraphQL

PEOPLE = """query($s: String, $first: Int, $after: String) {
  people(search: $s, first: $first, after: $after) {
    edges { cursor node { id displayName organization } }
    pageInfo { hasNextPage endCursor } totalCount } }"""
MY_TOKENS = "{ myTokens { tokenId createdAt expiresAt revoked } }"
ISSUE = """mutation($id: ID!, $ttl: Int) { issueToken(personId: $id, expiresInSeconds: $ttl) {
  token tokenId expiresAt errors { code } } }"""
REVOKE = """mutation($id: ID!) { revokeToken(id: $id) { revoked errors { code } } }"""


def names(gql: GraphQL, search: str | None, token: str | None = None, **page: Any) -> list[str]:
    found = gql.data(PEOPLE, token or gql.admin_token, s=search, **page)["people"]
    return [edge["node"]["displayName"] for edge in found["edges"]]


def test_people_are_listed_in_name_order_and_found_by_name_or_organisation(
    gql: GraphQL,
) -> None:
    jim = gql.register("Jim Halpert", org="Dunder Mifflin")
    gql.register("jason Smith", org="Acme Ventures")
    gql.register("José Núñez", org="Acme Ventures")
    gql.register("John O'Brien")
    # Every authenticated caller, a person as well as the admin, may look people up.
    token = gql.tokens[jim]
    assert names(gql, None, token) == ["jason Smith", "Jim Halpert", "John O'Brien", "José Núñez"]
    assert names(gql, "   ", token) == names(gql, None, token)
    assert names(gql, "JA") == ["jason Smith"]  # case ignored
    assert names(gql, "acme") == ["jason Smith", "José Núñez"]  # the organisation
    assert names(gql, "jose nun") == ["José Núñez"]  # accents ignored, every word must match
    assert names(gql, "núñez acme") == ["José Núñez"]
    assert names(gql, "ja acme") == ["jason Smith"]
    assert names(gql, "o'bri") == ["John O'Brien"]
    assert names(gql, "dunder smith") == []
    assert names(gql, "mifflin") == ["Jim Halpert"]
    assert names(gql, "ason") == []  # words are matched from their beginning
    assert names(gql, "---") == []
    body = gql.data(PEOPLE, gql.admin_token, s="j")["people"]
    assert body["totalCount"] == 4
    assert body["edges"][0]["node"]["id"]


def test_people_pages_follow_their_cursors_without_gaps_or_repeats(gql: GraphQL) -> None:
    for i in range(7):
        gql.register(f"Sam {chr(ord('G') - i)}", org="Same Org")  # registered out of order
    gql.register("Other Person")
    seen: list[str] = []
    after = None
    while True:
        page = gql.admin(PEOPLE, s="same", first=3, after=after)["people"]
        seen += [e["node"]["displayName"] for e in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if after is None:
            assert page["totalCount"] == 7
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        gql.register("Sam AA", org="Same Org")  # added before the cursor: never shown
    assert seen == [f"Sam {c}" for c in "ABCDEFG"]
    everyone = names(gql, None, first=100)
    assert everyone == sorted(everyone, key=str.casefold)
    assert len(everyone) == 10  # and the two Sam AA


def test_people_refuses_bad_arguments_in_words(gql: GraphQL) -> None:
    body = gql.result(PEOPLE, gql.admin_token, after="not-a-cursor")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "endCursor" in body["errors"][0]["message"]
    body = gql.result(PEOPLE, gql.admin_token, s="x" * 201)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = gql.result(PEOPLE, None)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_my_tokens_lists_my_own_tokens_never_the_token_itself(gql: GraphQL) -> None:
    jim = gql.register("Jim")  # one token, issued by register
    john = gql.register("John")
    second = gql.admin(ISSUE, id=jim, ttl=3600)["issueToken"]
    mine = gql.as_(jim, MY_TOKENS)["myTokens"]
    assert [t["tokenId"] for t in mine][1:] == [second["tokenId"]]
    assert [t["expiresAt"] for t in mine] == [None, second["expiresAt"]]
    assert [t["revoked"] for t in mine] == [False, False]
    assert all(t["createdAt"] for t in mine)
    everything = str(mine)
    assert gql.tokens[jim] not in everything
    assert second["token"] not in everything

    assert gql.data(REVOKE, second["token"], id=second["tokenId"])["revokeToken"]["revoked"]
    assert [t["revoked"] for t in gql.as_(jim, MY_TOKENS)["myTokens"]] == [False, True]
    theirs = gql.as_(john, MY_TOKENS)["myTokens"]
    assert len(theirs) == 1
    assert theirs[0]["tokenId"] not in everything
    assert gql.admin(MY_TOKENS)["myTokens"] == []
    body = gql.result(MY_TOKENS, None)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("search", "after"), [(None, None), ("ja", None), ("ja acme", None), ("ja", "j")]
)
def test_a_page_is_one_index_range_in_name_order(
    gql: GraphQL, services: Services, search: str | None, after: str | None
) -> None:
    """The plan of a page walks an index in name order: no scan of every person, no
    sort (SQLite's EXPLAIN QUERY PLAN of the view's own SQL)."""
    if services.storage.kind != "sqlite":
        pytest.skip("the plan is checked on SQLite")
    view = services.read_models.views.people
    cursor = None if after is None else encode_cursor(after, "0")
    page_sql, params, _, _ = view.queries(search_words(search), 20, cursor)
    with view.read() as cur:
        cur.execute(f"EXPLAIN QUERY PLAN {page_sql}", params)
        steps = [str(row[-1]) for row in cur.fetchall()]
    assert not [s for s in steps if "TEMP B-TREE" in s], steps
    # A SCAN walks an index in its order and stops at the page's end; never the table.
    assert not [s for s in steps if s.startswith("SCAN") and "USING" not in s], steps
    if search is not None:
        assert "SEARCH w USING" in steps[0], steps
