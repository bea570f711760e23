"""A browser page subscribes over a websocket from an origin listed in
INTRODUCTIONS_CORS_ORIGINS, and a page on any other origin is refused: real Chromium,
real `serve`, pages served from two other origins."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page

from tests.api.graphql_client import PROPOSE, GraphQL
from tests.browser import chromium, static_site
from tests.e2e.conftest import ADMIN_TOKEN, free_port, serving

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>subscriber</title></head>
<body><script>
window.events = [];
window.state = "idle";
function subscribe(url, token) {
  const ws = new WebSocket(url, "graphql-transport-ws");
  window.state = "connecting";
  ws.onopen = () => ws.send(JSON.stringify(
    {type: "connection_init", payload: {authorization: "Bearer " + token}}));
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === "connection_ack") {
      window.state = "subscribed";
      ws.send(JSON.stringify({id: "1", type: "subscribe", payload: {
        query: "subscription { introductionEvents { type data } }"}}));
    } else if (msg.type === "next") {
      window.events.push(msg.payload.data.introductionEvents);
    }
  };
  ws.onclose = () => { if (window.state !== "subscribed") window.state = "refused"; };
}
</script></body></html>
"""


def _open(browser: Browser, page_url: str, ws_url: str, token: str) -> Page:
    """Opens the page in a fresh context and subscribes from it."""
    page = browser.new_context().new_page()
    page.goto(page_url)
    page.evaluate("([url, token]) => subscribe(url, token)", [ws_url, token])
    return page


def test_a_page_on_an_allowed_origin_subscribes_and_one_on_another_is_refused(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    allowed_port, other_port = free_port(), free_port()
    allowed_origin = f"http://127.0.0.1:{allowed_port}"
    with (
        static_site(site, allowed_port) as allowed,
        static_site(site, other_port) as other,
        serving(
            tmp_path,
            f"sqlite:///{tmp_path / 'introductions.db'}",
            INTRODUCTIONS_ADMIN_TOKEN=ADMIN_TOKEN,
            INTRODUCTIONS_CORS_ORIGINS=f"https://app.example, {allowed_origin}",
        ) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
        chromium() as browser,
    ):
        gql = GraphQL(http, ADMIN_TOKEN)
        jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
        ws_url = server.url.replace("http://", "ws://") + "/graphql"
        token = gql.tokens[jason]
        good = _open(browser, f"{allowed}/index.html", ws_url, token)
        bad = _open(browser, f"{other}/index.html", ws_url, token)
        good.wait_for_function("window.state === 'subscribed'")
        bad.wait_for_function("window.state === 'refused'")

        gql.mutate(jason, PROPOSE, r=jim, t=john, c="Both build compilers.")
        good.wait_for_function("window.events.length > 0")
        events = good.evaluate("window.events")
        assert events[0]["type"] == "IntroductionProposed"
        assert events[0]["data"]["introducerId"] == jason
        assert bad.evaluate("window.state") == "refused"
        assert bad.evaluate("window.events") == []
        assert f"Rejected WebSocket connection from origin 'http://127.0.0.1:{other_port}'" in (
            server.output()
        )
