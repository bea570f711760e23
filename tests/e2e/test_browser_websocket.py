"""A browser page subscribes over a websocket from an origin listed in
INTRODUCTIONS_CORS_ORIGINS, and a page on any other origin is refused: real Chromium,
real `serve`, pages served from two other origins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.api.graphql_client import PROPOSE, GraphQL
from tests.browser import chromium, static_site, wait_until
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


def _open(driver: Any, page: str, ws_url: str, token: str) -> str:
    """Opens the page in a new window, subscribes from it; returns the window's handle."""
    driver.switch_to.new_window("window")
    driver.get(page)
    driver.execute_script("subscribe(arguments[0], arguments[1])", ws_url, token)
    return str(driver.current_window_handle)


def _state(driver: Any, window: str) -> str:
    driver.switch_to.window(window)
    return str(driver.execute_script("return window.state"))


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
        chromium(tmp_path / "profile") as driver,
    ):
        gql = GraphQL(http, ADMIN_TOKEN)
        jason, jim, john = gql.register("Jason"), gql.register("Jim"), gql.register("John")
        ws_url = server.url.replace("http://", "ws://") + "/graphql"
        token = gql.tokens[jason]
        good = _open(driver, f"{allowed}/index.html", ws_url, token)
        bad = _open(driver, f"{other}/index.html", ws_url, token)
        wait_until(driver, lambda d: _state(d, good) == "subscribed")
        wait_until(driver, lambda d: _state(d, bad) == "refused")

        gql.mutate(jason, PROPOSE, r=jim, t=john, c="Both build compilers.")
        driver.switch_to.window(good)
        events = wait_until(driver, lambda d: d.execute_script("return window.events"))
        assert events[0]["type"] == "IntroductionProposed"
        assert events[0]["data"]["introducerId"] == jason
        assert _state(driver, bad) == "refused"
        assert driver.execute_script("return window.events") == []
        assert f"Rejected WebSocket connection from origin 'http://127.0.0.1:{other_port}'" in (
            server.output()
        )
