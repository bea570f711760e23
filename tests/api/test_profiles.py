"""updateMyProfile through GraphQL, on SQLite and PostgreSQL: a person edits their own
profile, the admin anyone's; names follow everywhere at once, in this process and in
another serving the same database."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import build_services, create_app
from api.services import Services
from storage.database import Storage
from tests.api.conftest import ADMIN_TOKEN
from tests.api.graphql_client import INTRODUCTION, PROPOSE, GraphQL
from tests.api.test_people import names

UPDATE = """mutation($input: UpdateProfileInput!, $key: String) {
  updateMyProfile(input: $input, idempotencyKey: $key) {
    person { id displayName organization offers needs } errors { code message field } } }"""


def test_a_person_updates_their_profile_and_names_follow(gql: GraphQL) -> None:
    jason, jim, john = (gql.register(n, org="Acme") for n in ("Jason", "Jim", "John"))
    intro = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]
    payload = gql.mutate(
        jim, UPDATE, input={"displayName": "James", "offers": ["marketing advice"]}
    )
    assert payload["person"] == {
        "id": jim,
        "displayName": "James",
        "organization": "Acme",
        "offers": ["marketing advice"],
        "needs": [],
    }
    seen = gql.as_(john, INTRODUCTION, id=intro)["introduction"]
    assert seen["requester"]["displayName"] == "James"
    admin = gql.admin(UPDATE, input={"personId": john, "organization": ""})["updateMyProfile"]
    assert admin["person"]["organization"] is None


def test_people_search_finds_the_new_name_and_not_the_old(gql: GraphQL) -> None:
    jim = gql.register("Jim Halpert", org="Dunder Mifflin")
    gql.register("Jimmy Stone")
    gql.mutate(jim, UPDATE, input={"displayName": "James Halpert", "organization": "Athlead"})
    assert names(gql, "jim") == ["Jimmy Stone"]
    assert names(gql, "dunder") == []
    assert names(gql, "ja athl") == ["James Halpert"]
    assert names(gql, None) == ["James Halpert", "Jimmy Stone"]


def test_refusals_write_nothing(gql: GraphQL) -> None:
    jim, john = gql.register("Jim"), gql.register("John")
    cases = [
        (jim, {"personId": john, "displayName": "Not John"}, "FORBIDDEN", "personId"),
        (jim, {"displayName": " "}, "BAD_USER_INPUT", "displayName"),
        (jim, {}, "BAD_USER_INPUT", None),
        (None, {"displayName": "Whom?"}, "BAD_USER_INPUT", "personId"),
    ]
    for who, update, code, field in cases:
        body = gql.data(UPDATE, gql.tokens[who] if who else gql.admin_token, input=update)
        payload = body["updateMyProfile"]
        assert payload["person"] is None
        assert (payload["errors"][0]["code"], payload["errors"][0]["field"]) == (code, field)
    assert gql.as_(john, "{ me { displayName } }")["me"]["displayName"] == "John"


def test_another_process_answers_the_new_profile_at_once(
    gql: GraphQL, services: Services, storage: Storage
) -> None:
    jason, jim, john = (gql.register(n) for n in ("Jason", "Jim", "John"))
    intro = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]
    assert (
        gql.as_(john, INTRODUCTION, id=intro)["introduction"]["requester"]["displayName"] == "Jim"
    )
    other_services = build_services(storage)
    with TestClient(create_app(other_services, run_projections=False)) as other_client:
        other = GraphQL(other_client, ADMIN_TOKEN, dict(gql.tokens))
        other.mutate(jim, UPDATE, input={"displayName": "James"})
    seen = gql.as_(john, INTRODUCTION, id=intro)["introduction"]
    assert seen["requester"]["displayName"] == "James"
    assert gql.as_(jim, "{ me { displayName } }")["me"]["displayName"] == "James"
