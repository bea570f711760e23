"""GraphiQL works without internet: a real Chromium that can resolve no host but the
service's opens it, finds the token's place in the Headers tab, and runs a query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.browser import OFFLINE, chromium, wait_until
from tests.e2e.conftest import ADMIN_TOKEN, serving

PLACEHOLDER = '"Authorization": "Bearer PASTE-A-TOKEN-HERE"'
# The text of every editor that is on screen (not in a hidden tab).
EDITORS = """return [...document.querySelectorAll('.CodeMirror')]
  .filter(e => e.offsetParent !== null).map(e => e.CodeMirror.getValue())"""
SET_HEADERS = """
const editor = [...document.querySelectorAll('.CodeMirror')]
  .find(e => e.CodeMirror.getValue().includes('"Bearer PASTE-A-TOKEN-HERE"'));
editor.CodeMirror.setValue(arguments[0]);
"""


def _editors(driver: Any) -> list[str]:
    return list(driver.execute_script(EDITORS))


def test_graphiql_runs_a_query_offline_with_the_token_in_the_headers_tab(tmp_path: Path) -> None:
    with (
        serving(
            tmp_path,
            f"sqlite:///{tmp_path / 'introductions.db'}",
            INTRODUCTIONS_ADMIN_TOKEN=ADMIN_TOKEN,
        ) as server,
        chromium(tmp_path / "profile", OFFLINE) as driver,
    ):
        register = 'mutation { registerPerson(input: {displayName: "Jim"}) { errors { code } } }'
        httpx.post(
            server.url + "/graphql",
            json={"query": register},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ).raise_for_status()
        driver.get(server.url + "/graphql")
        # The Headers tab is open, on screen, and says where the token goes.
        wait_until(driver, lambda d: any(PLACEHOLDER in t for t in _editors(d)))

        driver.execute_script(SET_HEADERS, f'{{"Authorization": "Bearer {ADMIN_TOKEN}"}}')
        driver.find_element("css selector", ".graphiql-execute-button").click()
        answer = wait_until(driver, lambda d: next((t for t in _editors(d) if '"data"' in t), None))
        assert '"displayName": "Jim"' in answer
        assert '"totalCount": 1' in answer
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert loaded
        assert all(url.startswith(server.url + "/") for url in loaded), loaded
