"""A small GraphQL client over any httpx-like client (Starlette's TestClient in process,
httpx.Client against a real server), and the GraphQL documents the tests share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INTRODUCTION_FIELDS = """
  id version status context guidelines proposedAt updatedAt
  introducer { id displayName } requester { id displayName } target { id displayName }
  consentedBy { id }
"""
PAYLOAD = f"introduction {{ {INTRODUCTION_FIELDS} }} errors {{ code message field }} warnings"

REGISTER = """mutation($name: String!, $org: String, $offers: [String!], $needs: [String!]) {
  registerPerson(input: {displayName: $name, organization: $org, offers: $offers, needs: $needs}) {
    person { id displayName organization offers needs } errors { code message field } } }"""
ISSUE_TOKEN = (
    """mutation($id: ID!) { issueToken(personId: $id) { token errors { code message field } } }"""
)
PROPOSE = f"""mutation($r: ID!, $t: ID!, $c: String!, $g: String) {{
  proposeIntroduction(input: {{requesterId: $r, targetId: $t, context: $c, guidelines: $g}}) {{
    {PAYLOAD} }} }}"""
CONSENT = f"""mutation($id: ID!, $v: Int) {{ consentToIntroduction(id: $id, expectedVersion: $v) {{
  {PAYLOAD} }} }}"""
DECLINE = f"""mutation($id: ID!, $reason: String, $v: Int) {{
  declineIntroduction(id: $id, reason: $reason, expectedVersion: $v) {{ {PAYLOAD} }} }}"""
REPLY = f"""mutation($id: ID!, $m: String, $v: Int) {{
  recordReply(id: $id, message: $m, expectedVersion: $v) {{ {PAYLOAD} }} }}"""
FORMED = f"""mutation($id: ID!, $n: String, $v: Int) {{
  recordRelationshipFormed(id: $id, note: $n, expectedVersion: $v) {{ {PAYLOAD} }} }}"""
BURN = f"""mutation($id: ID!, $blamed: ID!, $reason: BurnReason!, $cause: BurnCause, $n: String,
  $v: Int) {{ burnIntroduction(input: {{id: $id, blamedPersonId: $blamed, reason: $reason,
  cause: $cause, note: $n, expectedVersion: $v}}) {{ {PAYLOAD} }} }}"""
REGISTER_WEBHOOK = """mutation { registerWebhook(input: {url: "http://127.0.0.1:9/hook"}) {
  registration { secret } errors { code message field } } }"""
INTRODUCTION = f"""query($id: ID!) {{ introduction(id: $id) {{ {INTRODUCTION_FIELDS} }} }}"""
INTRODUCTION_AT = (
    """query($id: ID!, $v: Int) { introductionAt(id: $id, version: $v) { id version status } }"""
)
HISTORY = """query($id: ID!) { introductionHistory(id: $id) {
  id introductionId version type occurredAt actorId data } }"""
INTRODUCTIONS = """query($f: IntroductionFilter, $first: Int, $after: String) {
  introductions(filter: $f, first: $first, after: $after) {
    edges { cursor node { id status introducer { displayName } requester { displayName }
      target { displayName } } }
    pageInfo { hasNextPage endCursor } totalCount } }"""
REPUTATION = """query($id: ID!) { introducerReputation(introducerId: $id) {
  introducer { displayName } score rankingScore proposed consented declined replied
  relationshipsFormed burned expired } }"""
LEADERBOARD = """query($n: Int) {
  leaderboard(first: $n) { introducer { displayName } score rankingScore } }"""
TRACK_RECORD = """query($id: ID!) { person(id: $id) { displayName trackRecord {
  introductionsAsParty consentsGiven declines repliesSent burnsBlamed ghosted screening
  reasons } } }"""
ME = "{ me { id displayName } }"
WEBHOOKS = "{ webhooks { id } }"
DELIVERIES = """query($id: ID!) { webhookDeliveries(webhookId: $id) { id } }"""
SUBSCRIBE = """subscription($id: ID, $by: ID) {
  introductionEvents(introductionId: $id, introducerId: $by) {
  id introductionId version type occurredAt actorId data } }"""


class GraphQLFailed(AssertionError):
    pass


@dataclass
class GraphQL:
    http: Any  # TestClient or httpx.Client
    admin_token: str
    tokens: dict[str, str] = field(default_factory=dict)  # person id -> token

    def raw(self, query: str, token: str | None = None, **variables: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    def result(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        response = self.raw(query, token, **variables)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        body = self.result(query, token, **variables)
        if body.get("errors"):
            raise GraphQLFailed(body["errors"])
        return body["data"]

    def admin(self, query: str, **variables: Any) -> dict[str, Any]:
        return self.data(query, self.admin_token, **variables)

    def register(self, name: str, **extra: Any) -> str:
        payload = self.admin(REGISTER, name=name, **extra)["registerPerson"]
        assert payload["errors"] == [], payload
        person_id = payload["person"]["id"]
        token = self.admin(ISSUE_TOKEN, id=person_id)["issueToken"]["token"]
        self.tokens[person_id] = token
        return person_id

    def as_(self, person_id: str, query: str, **variables: Any) -> dict[str, Any]:
        return self.data(query, self.tokens[person_id], **variables)

    def mutate(self, person_id: str, query: str, **variables: Any) -> dict[str, Any]:
        """The payload of a one-field mutation, which must succeed."""
        data = self.as_(person_id, query, **variables)
        payload = next(iter(data.values()))
        assert payload["errors"] == [], payload
        return payload


def seed_story(gql: GraphQL) -> dict[str, str]:
    """docs/domain.md's story through GraphQL: Jason introduces Jim to John; both consent, Jim
    replies, John burns it (TRANSACTIONAL_ASK, SKILL). Kent: Alice -> Bob, formed."""
    ids = {name: gql.register(name) for name in ("Jason", "Jim", "John", "Kent", "Alice", "Bob")}
    jason, jim, john = ids["Jason"], ids["Jim"], ids["John"]
    kent, alice, bob = ids["Kent"], ids["Alice"], ids["Bob"]
    burned = gql.mutate(
        jason,
        PROPOSE,
        r=jim,
        t=john,
        c="Jim manages projects; John hires them.",
        g="Learn what John's organization does first.",
    )["introduction"]["id"]
    gql.mutate(jim, CONSENT, id=burned)
    gql.mutate(john, CONSENT, id=burned)
    gql.mutate(jim, REPLY, id=burned, m="Dear John, what do you have for me?")
    gql.mutate(
        john,
        BURN,
        id=burned,
        blamed=jim,
        reason="TRANSACTIONAL_ASK",
        cause="SKILL",
        n="One more 'what can you do for me' e-mail.",
    )
    formed = gql.mutate(kent, PROPOSE, r=alice, t=bob, c="Data platforms meet product design.")[
        "introduction"
    ]["id"]
    gql.mutate(alice, CONSENT, id=formed)
    gql.mutate(bob, CONSENT, id=formed)
    gql.mutate(bob, REPLY, id=formed, m="Coffee next week?")
    gql.mutate(kent, FORMED, id=formed, n="They are building it together.")
    return {**{k.lower(): v for k, v in ids.items()}, "burned": burned, "formed": formed}


def check_seed_story(gql: GraphQL, ids: dict[str, str]) -> None:
    """What the story must look like afterwards, read right after the writes."""
    jason, jim, kent = ids["jason"], ids["jim"], ids["kent"]
    burned = gql.as_(jason, INTRODUCTION, id=ids["burned"])["introduction"]
    assert burned["status"] == "BURNED"
    assert burned["version"] == 5
    assert {p["id"] for p in burned["consentedBy"]} == {ids["jim"], ids["john"]}
    formed = gql.as_(kent, INTRODUCTION, id=ids["formed"])["introduction"]
    assert formed["status"] == "RELATIONSHIP_FORMED"

    kent_rep = gql.as_(jim, REPUTATION, id=kent)["introducerReputation"]
    assert kent_rep["introducer"]["displayName"] == "Kent"
    assert abs(kent_rep["score"] - 2 / 3) < 1e-3
    assert kent_rep["relationshipsFormed"] == 1
    jason_rep = gql.as_(jim, REPUTATION, id=jason)["introducerReputation"]
    assert abs(jason_rep["score"] - 1 / 3) < 1e-3
    assert jason_rep["burned"] == 1
    assert jason_rep["proposed"] == 1
    board = gql.as_(jim, LEADERBOARD, n=10)["leaderboard"]
    assert board[0]["introducer"]["displayName"] == "Kent"

    record = gql.as_(jason, TRACK_RECORD, id=jim)["person"]["trackRecord"]
    assert record["screening"] == "CAUTION"
    assert record["burnsBlamed"] == 1
    assert record["repliesSent"] == 1
    assert any("TRANSACTIONAL_ASK" in r and "SKILL" in r for r in record["reasons"])

    # Proposing Jim again (to Bob): it succeeds, and says why Jason should think twice.
    again = gql.mutate(jason, PROPOSE, r=jim, t=ids["bob"], c="Second chance.")
    assert again["introduction"]["status"] == "PROPOSED"
    assert again["warnings"] == record["reasons"]
    mine = gql.as_(jason, INTRODUCTIONS, f={"introducerId": jason})["introductions"]
    assert mine["totalCount"] == 2
