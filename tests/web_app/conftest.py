"""A real Chromium (Debian's /usr/bin/chromium, driven by Playwright; nothing downloads a
browser) against a real `introductions serve` on a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import chromium
from tests.e2e.conftest import ADMIN_TOKEN, Server, serving

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("web-app")
    url = f"sqlite:///{tmp_path / 'introductions.db'}"
    # Its webhook calls the service itself, on the loopback address.
    env = {"INTRODUCTIONS_ADMIN_TOKEN": ADMIN_TOKEN, "INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE": "1"}
    with serving(tmp_path, url, **env) as server:
        yield server


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
