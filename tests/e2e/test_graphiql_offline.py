"""GraphiQL works without internet: a real Chromium that can resolve no host but the
service's opens it, finds the token's place in the Headers tab, and runs a query."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page

from tests.browser import OFFLINE, chromium
from tests.e2e.conftest import ADMIN_TOKEN, serving

PLACEHOLDER = '"Authorization": "Bearer PASTE-A-TOKEN-HERE"'
# The text of every editor that is on screen (not in a hidden tab).
EDITORS = """() => [...document.querySelectorAll('.CodeMirror')]
  .filter(e => e.offsetParent !== null).map(e => e.CodeMirror.getValue())"""
AN_EDITOR_SHOWS = f"(text) => ({EDITORS})().some(value => value.includes(text))"
SET_HEADERS = """(headers) => [...document.querySelectorAll('.CodeMirror')]
  .find(e => e.CodeMirror.getValue().includes('"Bearer PASTE-A-TOKEN-HERE"'))
  .CodeMirror.setValue(headers)"""


def _editors(page: Page) -> list[str]:
    return list(page.evaluate(EDITORS))


def test_graphiql_runs_a_query_offline_with_the_token_in_the_headers_tab(tmp_path: Path) -> None:
    with (
        serving(
            tmp_path,
            f"sqlite:///{tmp_path / 'introductions.db'}",
            INTRODUCTIONS_ADMIN_TOKEN=ADMIN_TOKEN,
        ) as server,
        chromium(OFFLINE) as browser,
    ):
        register = 'mutation { registerPerson(input: {displayName: "Jim"}) { errors { code } } }'
        httpx.post(
            server.url + "/graphql",
            json={"query": register},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ).raise_for_status()
        page = browser.new_page()
        page.goto(server.url + "/graphql")
        # The Headers tab is open, on screen, and says where the token goes.
        page.wait_for_function(AN_EDITOR_SHOWS, arg=PLACEHOLDER)

        page.evaluate(SET_HEADERS, f'{{"Authorization": "Bearer {ADMIN_TOKEN}"}}')
        page.click(".graphiql-execute-button")
        page.wait_for_function(AN_EDITOR_SHOWS, arg='"data"')
        answer = next(t for t in _editors(page) if '"data"' in t)
        assert '"displayName": "Jim"' in answer
        assert '"totalCount": 1' in answer
        loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert loaded
        assert all(url.startswith(server.url + "/") for url in loaded), loaded
