"""The reply coach in the web app, in real Chromium against a real `introductions serve`:
while Jim types his reply, `assessMessage` reads it and the card shows the verdict and
findings beside the field, before anything is recorded; an older answer never overwrites
a newer one, and a coach that fails never stops the reply being recorded."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.graphql_client import INTRODUCTION, GraphQL
from tests.api.test_reply_coach import THOUGHTFUL, made_introduction
from tests.e2e.conftest import ADMIN_TOKEN, Server
from tests.web_app.test_web_app import (
    WAIT_MS,
    card,
    serious_accessibility_violations,
    session,
    sign_in,
)

BURN = "What can you do for me? Send me your client list."
COACH_DELAY_MS = 300  # api/web/js/coach.js


@pytest.fixture(scope="module")
def gql(app_server: Server) -> Iterator[GraphQL]:
    with httpx.Client(base_url=app_server.url, timeout=30) as client:
        yield GraphQL(client, ADMIN_TOKEN)


def jims_reply_form(browser: Any, server: Server, gql: GraphQL) -> tuple[Any, Any, dict[str, str]]:
    """Jim's page, his card's reply form open, on a new introduction both consented to."""
    ids = made_introduction(gql)
    page = session(browser, server)
    sign_in(page, gql.tokens[ids["jim"]])
    jims_card = card(page, "Jim", "John")
    jims_card.get_by_role("button", name="Record a reply").click()
    return page, jims_card, ids


def assessed_texts(page: Any) -> list[str]:
    """The text of every assessMessage request the page sends, from now on."""
    texts: list[str] = []

    def seen(request: Any) -> None:
        if request.url.endswith("/graphql") and "assessMessage" in (request.post_data or ""):
            texts.append(request.post_data_json["variables"]["text"])

    page.on("request", seen)
    return texts


def still_consented(gql: GraphQL, ids: dict[str, str]) -> None:
    intro = gql.as_(ids["jim"], INTRODUCTION, id=ids["intro"])["introduction"]
    assert (intro["status"], intro["version"]) == ("CONSENTED", 3), intro


def test_the_coach_reads_the_reply_as_it_is_typed(
    browser: Any, app_server: Server, gql: GraphQL, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    page, jims_card, ids = jims_reply_form(browser, app_server, gql)
    texts = assessed_texts(page)
    coach = jims_card.locator(".coach")
    verdict = coach.locator("[aria-live='polite']")
    findings = coach.locator(".coach-findings li")
    reply = jims_card.get_by_label("Your reply")

    reply.press_sequentially(BURN, delay=20)
    expect(coach).to_have_attribute("data-verdict", "LIKELY_BURN")
    expect(verdict).to_contain_text("Likely to burn the introduction")
    expect(findings.first).to_contain_text("Transactional ask")
    expect(findings.first).to_contain_text("never ask what they have for you")
    # Nothing is recorded by reading it, and the typing was read once it paused.
    still_consented(gql, ids)
    assert texts[-1] == BURN
    assert len(texts) < len(BURN) // 2, texts
    jims_card.screenshot(path=str(screenshots / "11-reply-coach.png"))
    assert serious_accessibility_violations(page) == []

    reply.fill(THOUGHTFUL)
    expect(coach).to_have_attribute("data-verdict", "GOOD")
    expect(verdict).to_contain_text("Good to send")
    expect(findings).to_have_count(0)

    asked = len(texts)
    reply.fill("")
    expect(coach).not_to_have_attribute("data-verdict", re.compile(".*"))
    expect(verdict).to_be_empty()
    page.wait_for_timeout(COACH_DELAY_MS * 3)
    assert len(texts) == asked, texts
    assert "" not in texts
    still_consented(gql, ids)

    # Recording it still answers with recordReply's warnings.
    reply.fill(BURN)
    expect(coach).to_have_attribute("data-verdict", "LIKELY_BURN")
    jims_card.get_by_role("button", name="Record the reply").click()
    expect(jims_card.locator(".notice.success")).to_have_text("Your reply is recorded.")
    expect(jims_card.locator(".notice.warning").first).to_contain_text("Heads-up")


def test_an_older_answer_never_overwrites_a_newer_one(
    browser: Any, app_server: Server, gql: GraphQL
) -> None:
    from playwright.sync_api import expect

    page, jims_card, _ = jims_reply_form(browser, app_server, gql)
    held: list[Any] = []

    def hold_the_burns_answer(route: Any) -> None:
        body = json.loads(route.request.post_data or "{}")
        if body.get("variables", {}).get("text") == BURN:
            held.append(route)
        else:
            route.continue_()

    page.route("**/graphql", hold_the_burns_answer)
    coach = jims_card.locator(".coach")
    reply = jims_card.get_by_label("Your reply")
    reply.fill(BURN)
    for _ in range(WAIT_MS // 50):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page never asked the coach about the burn"
    reply.fill(THOUGHTFUL)
    expect(coach).to_have_attribute("data-verdict", "GOOD")

    # The burn's answer arrives last: the page keeps the newer verdict.
    held[0].continue_()
    page.wait_for_timeout(COACH_DELAY_MS * 3)
    expect(coach).to_have_attribute("data-verdict", "GOOD")
    expect(coach.locator("[aria-live='polite']")).to_contain_text("Good to send")


def test_a_failing_coach_never_blocks_the_reply(
    browser: Any, app_server: Server, gql: GraphQL
) -> None:
    from playwright.sync_api import expect

    page, jims_card, ids = jims_reply_form(browser, app_server, gql)
    failures = iter(["network", "graphql"])

    def fail_the_coach(route: Any) -> None:
        if "assessMessage" not in (route.request.post_data or ""):
            route.continue_()
        elif next(failures, "graphql") == "network":
            route.abort("connectionrefused")
        else:
            route.fulfill(json={"data": None, "errors": [{"message": "coach down"}]})

    page.route("**/graphql", fail_the_coach)
    coach = jims_card.locator(".coach")
    reply = jims_card.get_by_label("Your reply")
    for text in (BURN, BURN + " Thanks."):
        reply.fill(text)
        expect(coach.locator(".coach-error")).to_have_text(
            "The coach cannot read it just now; you can still record the reply."
        )
        expect(coach).not_to_have_attribute("data-verdict", re.compile(".*"))
    expect(jims_card.get_by_role("alert")).to_have_count(0)
    reply.press_sequentially(" Bye.")
    expect(reply).to_have_value(BURN + " Thanks. Bye.")
    jims_card.get_by_role("button", name="Record the reply").click()
    expect(jims_card.locator(".notice.success")).to_have_text("Your reply is recorded.")
    intro = gql.as_(ids["jim"], INTRODUCTION, id=ids["intro"])["introduction"]
    assert intro["status"] == "REPLIED"
