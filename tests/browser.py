"""A real, headless Debian Chromium driven by Playwright, for every test that needs a
browser: nothing is downloaded (the distribution's /usr/bin/chromium), and every launch
gets a fresh, temporary profile."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from tests.conftest import missing_tool

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"  # no host but this one


@contextmanager
def chromium(*flags: str) -> Iterator[Browser]:
    """A headless Chromium with FLAGS and `flags`; closed on exit."""
    if not Path(CHROMIUM).exists():
        missing_tool(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*FLAGS, *flags]
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def static_site(directory: Path, port: int) -> Iterator[str]:
    """Serves `directory` over HTTP on 127.0.0.1:port (its own origin); yields its URL."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
