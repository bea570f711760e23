"""The seed story played through the web app in real Chromium sessions, by clicking and
typing: the admin registers Jason, Jim and John and issues their tokens; Jason screens and
introduces Jim to John; both consent in their own sessions; Jim sends his "tell me what
you have for me" reply; John burns it as a transactional ask. Jason's card and Jim's
screening show it, and a second open session of Jason's sees it live, without reload.
Every screen passes axe-core with no serious or critical violation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import ADMIN_TOKEN, Server

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
MAX_PAGE_BYTES = 300 * 1024
WAIT_MS = 15_000
JIMS_REPLY = "I am interested in x because of y. Please tell me what you have for me."
PEOPLE = [
    ("Jason", "JibberJobber", "introductions, job search advice", "good contacts"),
    ("Jim", "", "project management", "a job"),
    ("John", "Northwind Recruiting", "open positions", "strong candidates"),
]


def session(browser: Any, server: Server) -> Any:
    """A new browser session (its own cookies and sessionStorage), on the app."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(server.url + "/")
    return page


def sign_in(page: Any, token: str) -> None:
    page.get_by_label("Access token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    page.get_by_text("Live", exact=True).wait_for()


def go(page: Any, screen: str) -> None:
    page.get_by_role("navigation", name="Screens").get_by_role("link", name=screen).click()
    page.get_by_role("heading", level=1, name=re.compile(screen)).wait_for()


def choose(page: Any, slot: str, name: str) -> None:
    region = page.get_by_role("region", name=slot)
    region.get_by_role("searchbox", name=slot).fill(name)
    region.get_by_role("button", name=re.compile(f"^Choose {name}")).click()


def card(page: Any, requester: str, target: str) -> Any:
    return page.get_by_role("article", name=f"{requester} to {target}")


def expect_text(locator: Any, text: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text, timeout=WAIT_MS)


def serious_accessibility_violations(page: Any) -> list[str]:
    # Evaluated through the DevTools protocol, so the page's CSP (self only) allows it.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check_screen(page: Any, name: str, screenshots: Path, found: dict[str, list[str]]) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    found[name] = serious_accessibility_violations(page)


def register_and_issue_tokens(admin: Any) -> dict[str, str]:
    go(admin, "Admin")
    for name, organisation, offers, needs in PEOPLE:
        admin.get_by_label("Display name").fill(name)
        admin.get_by_label("Organisation (optional)").fill(organisation)
        admin.get_by_label("Offers (optional)").fill(offers)
        admin.get_by_label("Needs (optional)").fill(needs)
        admin.get_by_role("button", name="Register", exact=True).click()
        admin.get_by_text(f"Registered {name}.").wait_for()
    tokens = {}
    for name, *_ in PEOPLE:
        admin.get_by_role("searchbox", name="Find the person").fill(name)
        admin.get_by_role("button", name=re.compile(f"^Issue token {name}")).click()
        token_field = admin.get_by_role("textbox", name=f"Token for {name}")
        tokens[name] = token_field.input_value()
        assert tokens[name].startswith("itk_")
    admin.get_by_role("button", name="Copy").click()
    admin.get_by_text("Copied to the clipboard.").wait_for()
    assert admin.evaluate("navigator.clipboard.readText()") == tokens[PEOPLE[-1][0]]
    return tokens


def register_webhook(admin: Any, url: str) -> None:
    admin.get_by_label("Endpoint URL").fill(url)
    admin.get_by_label("Description (optional)").fill("answers 405: every delivery fails")
    admin.get_by_role("button", name="Register the webhook").click()
    secret = admin.get_by_role("textbox", name="Signing secret")
    assert secret.input_value().startswith("whsec_")
    expect_text(admin.locator(".webhook"), "/healthz")


def redeliver_the_burn(admin: Any) -> None:
    admin.get_by_role("button", name="Deliveries").click()
    burn = admin.locator(".deliveries tr", has_text="IntroductionBurned")
    expect_text(burn, "405")
    burn.get_by_role("button", name="Redeliver").click()
    admin.get_by_text("Delivery of IntroductionBurned scheduled again.").wait_for()


def test_the_seed_story_through_the_web_app(
    browser: Any, app_server: Server, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    violations: dict[str, list[str]] = {}
    admin = session(browser, app_server)
    check_screen(admin, "01-sign-in", screenshots, violations)
    admin.get_by_label("Access token").fill("itk_not-a-token")
    admin.get_by_role("button", name="Sign in").click()
    expect_text(admin.get_by_role("alert"), "This token was not accepted")
    sign_in(admin, ADMIN_TOKEN)
    tokens = register_and_issue_tokens(admin)
    # The service's own /healthz answers a webhook's POST with 405.
    register_webhook(admin, app_server.url + "/healthz")
    check_screen(admin, "02-admin", screenshots, violations)

    # Jason screens both people first, then introduces Jim to John.
    jason = session(browser, app_server)
    sign_in(jason, tokens["Jason"])
    go(jason, "Introduce two people")
    choose(jason, "Who asked to be introduced", "Jim")
    choose(jason, "Whom they will meet", "John")
    expect(jason.locator(".screening-clear")).to_have_count(2)
    jason.get_by_label("Context: why should they meet?").fill(
        "Jim is looking for a project management role; John places exactly such people."
    )
    jason.get_by_label("Guidelines (optional)").fill(
        "Learn what Northwind does before you write; offer before you ask."
    )
    check_screen(jason, "03-introduce", screenshots, violations)
    jason.get_by_role("button", name="Propose the introduction").click()
    jason.get_by_text("Proposed: Jim and John.").wait_for()

    # A second open session of Jason's, on his introductions, never reloaded.
    watcher = session(browser, app_server)
    sign_in(watcher, tokens["Jason"])
    watched = card(watcher, "Jim", "John")
    expect_text(watched, "Waiting for consent")
    watcher.evaluate("window.notReloaded = true")

    jim = session(browser, app_server)
    sign_in(jim, tokens["Jim"])
    card(jim, "Jim", "John").get_by_role("button", name="Consent").click()
    expect_text(card(jim, "Jim", "John"), "You consented.")

    john = session(browser, app_server)
    sign_in(john, tokens["John"])
    card(john, "Jim", "John").get_by_role("button", name="Consent").click()
    expect_text(card(john, "Jim", "John"), "You consented.")

    # Jim's page learns of John's consent live, and offers the reply.
    jims_card = card(jim, "Jim", "John")
    jims_card.get_by_role("button", name="Record a reply").click()
    jims_card.get_by_label("Your reply").fill(JIMS_REPLY)
    jims_card.get_by_role("button", name="Record the reply").click()
    expect_text(jims_card, "Your reply is recorded.")

    # John's page learns of the reply live.
    johns_card = card(john, "Jim", "John")
    expect_text(johns_card.locator(".badge"), "Replied")
    johns_card.get_by_role("button", name="Burn…").click()
    blamed = johns_card.get_by_label("Who misused it").locator("option:checked")
    expect(blamed).to_have_text("Jim")
    johns_card.get_by_label("Reason").select_option("TRANSACTIONAL_ASK")
    johns_card.get_by_label("Cause").select_option("SKILL")
    johns_card.get_by_label("What happened (optional)").fill(
        "Why didn't Jim figure out who I was? Just one more 'what can you do for me' e-mail."
    )
    check_screen(john, "04-burn", screenshots, violations)
    johns_card.get_by_role("button", name="Burn the introduction").click()
    expect_text(johns_card, "The introduction is burned.")

    # The second session shows it live, without a reload.
    expect_text(watched, "Burned")
    assert watcher.evaluate("window.notReloaded === true")
    check_screen(watcher, "05-my-introductions", screenshots, violations)

    # Jason's card counts the burn; Jim's screening says why.
    go(jason, "Reputation")
    reputation = jason.get_by_role("region", name="Jason")
    expect_text(reputation.locator(".count-burned"), "1")
    expect_text(reputation.locator(".score").first, "0.33")
    check_screen(jason, "06-reputation", screenshots, violations)

    go(jason, "Introduce two people")
    choose(jason, "Who asked to be introduced", "Jim")
    screening = jason.locator(".screening").first
    expect_text(screening, "Caution")
    expect_text(screening, "TRANSACTIONAL_ASK")
    check_screen(jason, "07-screening", screenshots, violations)

    # The timeline: five events with hashes; the slider goes back to the second step.
    go(jason, "My introductions")
    card(jason, "Jim", "John").get_by_role("link", name="Timeline").click()
    events = jason.locator(".timeline .event")
    expect(events).to_have_count(5)
    expect_text(events.nth(4), "John burned the introduction")
    expect(events.nth(0).locator(".hash code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    slider = jason.get_by_label("Show the introduction as of version")
    slider.focus()
    jason.keyboard.press("Home")
    jason.keyboard.press("ArrowRight")
    expect_text(jason.locator(".state"), "After version 2 of 5")
    expect_text(jason.locator(".state"), "Waiting for consent")
    check_screen(jason, "08-timeline", screenshots, violations)

    # The admin sees the failed deliveries and sends the burn's again.
    redeliver_the_burn(admin)
    check_screen(admin, "09-deliveries", screenshots, violations)

    # Introduced again, Jim's record comes back as a warning, in words; the same pair
    # twice while the first is open is refused, in words.
    go(jason, "Introduce two people")
    choose(jason, "Who asked to be introduced", "Jim")
    choose(jason, "Whom they will meet", "John")
    jason.get_by_label("Context: why should they meet?").fill("A second chance, with coaching.")
    jason.get_by_role("button", name="Propose the introduction").click()
    expect_text(jason.locator(".notice.warning"), "Heads-up about Jim: blamed in 1 burned")
    jason.get_by_label("Context: why should they meet?").fill("And once more.")
    jason.get_by_role("button", name="Propose the introduction").click()
    expect_text(jason.get_by_role("alert"), "Please check what you entered")
    check_screen(jason, "10-warnings-and-errors", screenshots, violations)

    # Signing out forgets the token.
    jason.get_by_role("button", name="Sign out").click()
    jason.get_by_label("Access token").wait_for()
    assert jason.evaluate("sessionStorage.length") == 0

    assert not any(violations.values()), violations


def test_the_page_weighs_under_300_kb(browser: Any, app_server: Server) -> None:
    page = browser.new_context().new_page()
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(app_server.url + "/", wait_until="networkidle")
    page.get_by_label("Access token").wait_for()
    sizes = {r.url: r.request.sizes() for r in responses}
    transferred = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes.values())
    assert all(r.ok for r in responses), [(r.url, r.status) for r in responses]
    assert all(r.url.startswith(app_server.url) for r in responses), list(sizes)
    print(f"/ transferred {transferred} bytes in {len(sizes)} responses")
    assert 0 < transferred < MAX_PAGE_BYTES, sizes
