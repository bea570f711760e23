"""The seed story through GraphQL, in process, read right after each write."""

from __future__ import annotations

import itertools
import json
from uuid import UUID

from api.services import Services
from tests.api.graphql_client import HISTORY, GraphQL, check_seed_story, seed_story
from webhooks.wire import event_body


def test_seed_story(gql: GraphQL) -> None:
    ids = seed_story(gql)
    check_seed_story(gql, ids)


def test_history_event_ids_are_the_chain_ids(gql: GraphQL) -> None:
    from domain.chain import event_id

    ids = seed_story(gql)
    history = gql.as_(ids["john"], HISTORY, id=ids["burned"])["introductionHistory"]
    assert [e["type"] for e in history] == [
        "IntroductionProposed",
        "ConsentGiven",
        "ConsentGiven",
        "ReplyRecorded",
        "IntroductionBurned",
    ]
    assert [e["id"] for e in history] == [str(event_id(ids["burned"], v)) for v in range(1, 6)]
    assert history[-1]["data"]["reason"] == "TRANSACTIONAL_ASK"
    assert history[-1]["actorId"] == ids["john"]


def test_every_edge_cursor_resumes_right_after_its_edge(gql: GraphQL) -> None:
    from tests.api.graphql_client import INTRODUCTIONS, PROPOSE

    introducer = gql.register("Connector")
    people = [gql.register(f"P{i}") for i in range(6)]
    for a, b in itertools.pairwise(people):
        gql.mutate(introducer, PROPOSE, r=a, t=b, c="c")
    everything = gql.as_(introducer, INTRODUCTIONS, first=10)["introductions"]
    order = [e["node"]["id"] for e in everything["edges"]]
    assert len(order) == 5
    for i, edge in enumerate(everything["edges"]):
        rest = gql.as_(introducer, INTRODUCTIONS, first=10, after=edge["cursor"])
        assert [e["node"]["id"] for e in rest["introductions"]["edges"]] == order[i + 1 :]
    page = gql.as_(introducer, INTRODUCTIONS, first=2)["introductions"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]


def test_event_data_is_camel_case_and_the_same_in_history_and_webhook_bodies(
    gql: GraphQL, services: Services
) -> None:
    ids = seed_story(gql)
    history = gql.as_(ids["john"], HISTORY, id=ids["burned"])["introductionHistory"]
    assert history[0]["data"]["introducerId"] == ids["jason"]
    assert history[0]["data"]["requesterId"] == ids["jim"]
    assert history[-1]["data"]["blamedPersonId"] == ids["jim"]
    for entry in history:
        assert not [key for key in entry["data"] if "_" in key], entry
    # A webhook's data is the same, with the envelope's introductionId, version, actorId.
    for event in services.app.events.get(UUID(ids["burned"])):
        data = json.loads(event_body(event))["data"]
        envelope = {"introductionId": ids["burned"], "version": event.originator_version}
        assert data == history[event.originator_version - 1]["data"] | envelope | {
            "actorId": history[event.originator_version - 1]["actorId"]
        }
