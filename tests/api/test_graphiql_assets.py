"""GraphiQL is served by the service itself: its page names no other host, and every
file it loads is served here, byte for byte what its `integrity` attribute says."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None]] = []  # (url, integrity)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        url = named.get("src") or (named.get("href") if tag == "link" else None)
        if url is not None:
            self.found.append((url, named.get("integrity")))


def test_the_graphiql_page_loads_only_files_served_here(client: TestClient) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    parser = Assets()
    parser.feed(page.text)
    urls = [url for url, _ in parser.found]
    assert "graphiql/vendor/graphiql.min.js" in urls
    assert "graphiql/start.js" in urls
    for url, integrity in parser.found:
        absolute = urljoin("http://testserver/graphql", url)
        if url.startswith("data:"):
            continue
        assert urlsplit(absolute).netloc == "testserver", url  # no CDN, no other host
        asset = client.get(urlsplit(absolute).path)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in {"text/javascript", "text/css"}
        if integrity is not None:
            digest = base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
            assert integrity == f"sha384-{digest}", url
    assert "unpkg.com" not in page.text
    assert "cdn" not in page.text.lower()
    start = client.get("/graphiql/start.js").text
    assert '"Authorization": "Bearer PASTE-A-TOKEN-HERE"' in start
    assert 'defaultEditorToolsVisibility: "headers"' in start
