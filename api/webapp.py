"""The connector's web app: static files served at `/` (the page) and `/app/` (its
modules, styles and vendored libraries). It speaks only the public GraphQL API, as any
third-party front end would; nothing here answers a private question."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

WEB_ROOT = Path(__file__).parent / "web"
ASSETS_PREFIX = "/app"


def is_web_app_path(path: str) -> bool:
    return path == "/" or path.startswith(ASSETS_PREFIX + "/")


def install_web_app(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        # no-cache: a new release's page (and so its module URLs) is seen at once.
        return FileResponse(WEB_ROOT / "index.html", headers={"cache-control": "no-cache"})

    app.mount(ASSETS_PREFIX, StaticFiles(directory=WEB_ROOT), name="web-app")
