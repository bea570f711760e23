"""The seed story through GraphQL, in process, read right after each write."""

from __future__ import annotations

from tests.api.conftest import needs_read_models
from tests.api.graphql_client import HISTORY, GraphQL, check_seed_story, seed_story


@needs_read_models
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
