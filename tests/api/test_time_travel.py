"""Time travel over GraphQL: introductionAt by version and by instant, null before the
first event, and the history in version order with its stable ids."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.api.graphql_client import CONSENT, HISTORY, PROPOSE, GraphQL

AT = """query($id: ID!, $v: Int, $at: DateTime) {
  introductionAt(id: $id, version: $v, at: $at) { version status consentedBy { id } } }"""


def test_state_as_of_a_version_and_an_instant(gql: GraphQL) -> None:
    jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
    iid = gql.mutate(jason, PROPOSE, r=jim, t=john, c="c")["introduction"]["id"]
    gql.mutate(jim, CONSENT, id=iid)
    gql.mutate(john, CONSENT, id=iid)
    history = gql.as_(jason, HISTORY, id=iid)["introductionHistory"]
    assert [e["version"] for e in history] == [1, 2, 3]
    times = [datetime.fromisoformat(e["occurredAt"]) for e in history]

    def at(**variables: object) -> dict[str, object] | None:
        return gql.as_(jason, AT, id=iid, **variables)["introductionAt"]

    assert at(v=2) == {"version": 2, "status": "PROPOSED", "consentedBy": [{"id": jim}]}
    between = times[1] + (times[2] - times[1]) / 2
    assert at(at=between.isoformat())["version"] == 2  # type: ignore[index]
    assert at(at=times[2].isoformat())["status"] == "CONSENTED"  # type: ignore[index]
    assert at(at=(times[0] - timedelta(microseconds=1)).isoformat()) is None
    outsider = gql.register("Outsider")
    assert gql.as_(outsider, AT, id=iid, v=1)["introductionAt"] is None
