"""Documents built to make the server work hard, sent without a token through a real
`serve` in both modes: each is refused at once with BAD_USER_INPUT, and a client asking
/healthz meanwhile keeps getting prompt answers. Production's errors suggest no names."""

from __future__ import annotations

import secrets
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import serving
from tests.e2e.hostile import HEALTH_INTERVAL_SECONDS, HealthWatch, fragment_bomb

ADMIN = secrets.token_urlsafe(32)
AT_ONCE_SECONDS = 0.5
HEALTHY_SECONDS = 1.0  # the slowest /healthz answer meanwhile, on a busy shared machine
BOMBING_SECONDS = 2.0


def _env(mode: str) -> dict[str, str]:
    return {"INTRODUCTIONS_ENV": mode, "INTRODUCTIONS_ADMIN_TOKEN": ADMIN}


@pytest.mark.parametrize("mode", ["development", "production"])
def test_a_fragment_bomb_is_refused_at_once_while_healthz_keeps_answering(
    tmp_path: Path, mode: str
) -> None:
    url = f"sqlite:///{tmp_path / 'introductions.db'}"
    with (
        serving(tmp_path, url, **_env(mode)) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
        HealthWatch(server.url) as health,
    ):
        bombing_until = time.monotonic() + BOMBING_SECONDS
        sent = 0
        while sent == 0 or time.monotonic() < bombing_until:
            for n in (20, 60, 150):
                # a random trailing comment makes each text new: nothing comes from a cache
                for document in (fragment_bomb(n), f"{fragment_bomb(n)} # {uuid.uuid4()}"):
                    started = time.monotonic()
                    response = http.post("/graphql", json={"query": document})
                    took = time.monotonic() - started
                    sent += 1
                    assert response.status_code == 200, response.text
                    body = response.json()
                    assert body.get("data") is None, (n, body)
                    [error] = body["errors"]
                    assert error["extensions"]["code"] == "BAD_USER_INPUT", (n, error)
                    assert "limit" in error["message"], (n, error)
                    assert took < AT_ONCE_SECONDS, (n, took)
            time.sleep(0.05)  # well within production's rate limit (600 a minute)
    assert len(health.seconds) >= BOMBING_SECONDS / HEALTH_INTERVAL_SECONDS / 4
    assert health.failures == 0
    assert health.slowest < HEALTHY_SECONDS, sorted(s for s in health.seconds if s)[-5:]


def test_production_errors_suggest_no_names(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'introductions.db'}"
    mistakes = {
        "{ leaderbord { score } }": "Cannot query field 'leaderbord'",
        "{ leaderboard(frist: 3) { score } }": "Unknown argument 'frist'",
        "query($s: IntroductionStatu) { health { ok } }": "Unknown type 'IntroductionStatu'",
        "{ introductions(filter: {status: PROPOSD}) { totalCount } }": "PROPOSD",
    }
    with (
        serving(tmp_path, url, **_env("production")) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
    ):
        for document, names_the_mistake in mistakes.items():
            for token in (None, ADMIN):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                body = http.post("/graphql", json={"query": document}, headers=headers).json()
                messages = [e["message"] for e in body["errors"]]
                assert any(names_the_mistake in m for m in messages), (document, messages)
                assert not any("Did you mean" in m for m in messages), (document, messages)
        enum_variable = (
            "query($s: IntroductionStatus) { introductions(filter: {status: $s}) { totalCount } }"
        )
        body = http.post(
            "/graphql",
            json={"query": enum_variable, "variables": {"s": "PROPOSD"}},
            headers={"Authorization": f"Bearer {ADMIN}"},
        ).json()
        messages = [e["message"] for e in body["errors"]]
        assert any("PROPOSD" in m for m in messages), messages
        assert not any("Did you mean" in m for m in messages), messages
