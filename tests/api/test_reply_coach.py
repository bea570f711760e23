"""The reply coach through GraphQL, on SQLite and PostgreSQL: assessMessage for any
signed-in person, held against an introduction for its parties only, and recordReply's
warnings (the reply is recorded whatever the verdict)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from api.services import Services
from tests.api.graphql_client import CONSENT, HISTORY, PROPOSE, GraphQL

ASSESS = """query($text: String!, $id: ID) { assessMessage(text: $text, introductionId: $id) {
  verdict risk coachVersion findings { reason evidence advice } } }"""
REPLY = """mutation($id: ID!, $m: String) { recordReply(id: $id, message: $m) {
  introduction { id status } errors { code message } warnings
  replyAssessment { verdict risk coachVersion findings { reason evidence advice } } } }"""
JIM = "Dear John,\n\nI am interested in x because of y. Please tell me what you have for me."
JOB_ASK = "Hi John, I'd love to join your team. Are there any openings for project managers?"
THOUGHTFUL = (
    "Jason, thank you for the introduction. John, I read your article on how Acme plans "
    "its projects in six-week cycles. Could I ask how you decide what to cut when a cycle "
    "runs late? Happy to share the retrospective template we use in return."
)
NO_JOBS = "Ask John for advice on project planning, not for a job."


def made_introduction(gql: GraphQL, guidelines: str | None = NO_JOBS) -> dict[str, str]:
    ids = {name: gql.register(name) for name in ("Jason", "Jim", "John", "Outsider")}
    intro = gql.mutate(
        ids["Jason"],
        PROPOSE,
        r=ids["Jim"],
        t=ids["John"],
        c="Jim plans projects; John runs planning at Acme.",
        g=guidelines,
    )["introduction"]["id"]
    gql.mutate(ids["Jim"], CONSENT, id=intro)
    gql.mutate(ids["John"], CONSENT, id=intro)
    return {**{k.lower(): v for k, v in ids.items()}, "intro": intro}


def error_code(body: dict[str, Any]) -> str:
    assert body.get("data") in (None, {}) or body["data"].get("assessMessage") is None, body
    return str(body["errors"][0]["extensions"]["code"])


def test_assess_message_reads_a_message_for_any_signed_in_person(gql: GraphQL) -> None:
    someone = gql.register("Someone")
    a = gql.as_(someone, ASSESS, text=JIM)["assessMessage"]
    assert a["verdict"] == "LIKELY_BURN"
    assert 0.55 <= a["risk"] <= 1
    assert a["coachVersion"]
    assert a["findings"][0]["reason"] == "TRANSACTIONAL_ASK"
    assert all(f["evidence"] in JIM and f["advice"] for f in a["findings"])
    good = gql.as_(someone, ASSESS, text=THOUGHTFUL)["assessMessage"]
    assert good["verdict"] == "GOOD"
    assert good["risk"] < a["risk"]
    body = gql.result(ASSESS, None, text=JIM)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_assess_message_refuses_bad_text(gql: GraphQL) -> None:
    someone = gql.register("Someone")
    for text in ("", "   ", "x" * 10_001):
        body = gql.result(ASSESS, gql.tokens[someone], text=text)
        assert error_code(body) == "BAD_USER_INPUT"
        assert body["errors"][0]["extensions"]["field"] == "text"


def test_with_an_introduction_the_guidelines_count_for_its_parties_only(gql: GraphQL) -> None:
    ids = made_introduction(gql)
    alone = gql.as_(ids["jim"], ASSESS, text=JOB_ASK)["assessMessage"]
    held = gql.as_(ids["jim"], ASSESS, text=JOB_ASK, id=ids["intro"])["assessMessage"]
    assert "MISUSED_CONTACT" not in {f["reason"] for f in alone["findings"]}
    misuse = [f for f in held["findings"] if f["reason"] == "MISUSED_CONTACT"]
    assert misuse, held
    assert misuse[0]["evidence"] in JOB_ASK
    assert misuse[0]["advice"].startswith("Jason asked: “Ask John for advice")
    assert held["risk"] > alone["risk"]
    assert held["verdict"] == "LIKELY_BURN"
    # The target may check a message too; the introducer, the admin and others may not.
    assert gql.as_(ids["john"], ASSESS, text=THOUGHTFUL, id=ids["intro"])["assessMessage"]
    introducer = gql.result(ASSESS, gql.tokens[ids["jason"]], text=JOB_ASK, id=ids["intro"])
    assert error_code(introducer) == "FORBIDDEN"
    assert "requester or the target" in introducer["errors"][0]["message"]
    admin = gql.result(ASSESS, gql.admin_token, text=JOB_ASK, id=ids["intro"])
    assert error_code(admin) == "FORBIDDEN"
    outsider = gql.result(ASSESS, gql.tokens[ids["outsider"]], text=JOB_ASK, id=ids["intro"])
    assert error_code(outsider) == "NOT_FOUND"
    malformed = gql.result(ASSESS, gql.tokens[ids["jim"]], text=JOB_ASK, id="nope")
    assert error_code(malformed) == "BAD_USER_INPUT"


def test_record_reply_warns_with_the_assessment_and_records_the_reply(gql: GraphQL) -> None:
    ids = made_introduction(gql)
    payload = gql.as_(ids["jim"], REPLY, id=ids["intro"], m=JIM)["recordReply"]
    assert payload["errors"] == []
    assert payload["introduction"]["status"] == "REPLIED"
    assessment = payload["replyAssessment"]
    assert assessment["verdict"] == "LIKELY_BURN"
    warnings = payload["warnings"]
    assert warnings[0].startswith(f"Reply coach ({assessment['coachVersion']}): LIKELY_BURN")
    for finding, warning in zip(assessment["findings"], warnings[1:], strict=True):
        assert warning.startswith(f"{finding['reason']}: “{finding['evidence']}”.")
        assert finding["advice"] in warning
    history = gql.as_(ids["jim"], HISTORY, id=ids["intro"])["introductionHistory"]
    assert history[-1]["type"] == "ReplyRecorded"
    assert history[-1]["data"]["message"] == JIM


def test_a_good_reply_has_no_warnings_and_no_message_no_assessment(gql: GraphQL) -> None:
    ids = made_introduction(gql, guidelines=None)
    good = gql.as_(ids["jim"], REPLY, id=ids["intro"], m=THOUGHTFUL)["recordReply"]
    assert good["replyAssessment"]["verdict"] == "GOOD"
    assert good["warnings"] == []
    bare = gql.as_(ids["john"], REPLY, id=ids["intro"])["recordReply"]
    assert bare["errors"] == []
    assert bare["replyAssessment"] is None
    assert bare["warnings"] == []


def test_record_reply_reads_the_coachs_people_in_the_writes_own_thread(
    gql: GraphQL, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One trip to a thread per reply: the introducer and the recipient are read right
    # after the write, in its thread, not in a second trip for the coach.
    ids = made_introduction(gql)
    threads: list[str] = []
    read = services.app.get_persons_batched

    def get_persons_batched(person_ids: Any) -> Any:
        threads.append(threading.current_thread().name)
        return read(person_ids)

    monkeypatch.setattr(services.app, "get_persons_batched", get_persons_batched)
    payload = gql.as_(ids["jim"], REPLY, id=ids["intro"], m=JIM)["recordReply"]
    assert payload["errors"] == []
    assert payload["replyAssessment"] is not None
    assert len(threads) == 1
    assert threads[0].startswith("wait")  # api.services: the pool of the write's trip
