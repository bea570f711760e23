"""`introductions serve` (the HTTP service) and `introductions export-schema`."""

from __future__ import annotations

import os
import shutil
import tempfile

import typer

from storage.database import Storage


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Processes serving on this port."),
    background: bool = typer.Option(
        True, help="Compete for the background lease (projections, sweeper, webhooks)."
    ),
    log_level: str = typer.Option("info", help="debug, info, warning or error."),
) -> None:
    """Serve GraphQL at /graphql. One command is the whole service, on either database:
    whichever process holds the background lease also runs the projections, the expiry
    sweeper and the webhook dispatcher."""
    from uvicorn.config import WS_PROTOCOLS

    from api import quiet_server
    from api.app import SERVE_LOG_LEVEL_VARIABLE
    from api.auth import (
        ADMIN_TOKEN_FILE_VARIABLE,
        ADMIN_TOKEN_VARIABLE,
        admin_token_path,
        ensure_admin_token_file,
    )
    from api.metrics import MULTIPROCESS_DIR_VARIABLE
    from api.observability import configure_logging
    from api.security import require_production_admin_tokens
    from api.settings import edge_settings
    from storage.bootstrap import open_application
    from storage.database import storage_from_environment

    storage = storage_from_environment()
    open_application(storage).close()  # fail now, in one line, if the database is unusable
    settings = edge_settings()
    if settings.production:
        require_production_admin_tokens(storage, dict(os.environ))
    if not background:
        os.environ["INTRODUCTIONS_BACKGROUND"] = "0"  # for uvicorn's worker processes too
    elif not settings.background:
        background = False
    os.environ[SERVE_LOG_LEVEL_VARIABLE] = log_level.upper()
    if not os.environ.get(ADMIN_TOKEN_VARIABLE):
        path = admin_token_path(storage)
        created = ensure_admin_token_file(path)
        # Worker processes read the token from the file; the token itself is never printed.
        os.environ[ADMIN_TOKEN_FILE_VARIABLE] = str(path)
        what = "Generated the admin token in" if created else "The admin token is in"
        typer.echo(f"{what} {path} (readable only by you).")
    metrics_dir = None
    if workers > 1 and not os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        # One /metrics for every worker: each writes its values to files in this folder.
        metrics_dir = tempfile.mkdtemp(prefix="introductions-metrics-")
        os.environ[MULTIPROCESS_DIR_VARIABLE] = metrics_dir
    configure_logging(log_level.upper())
    typer.echo(f"Serving GraphQL on http://{host}:{port}/graphql ({storage.display})")
    if not background:
        typer.echo(background_note(storage))
    try:
        quiet_server.run(
            "api.app:create_app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            log_level=log_level,
            access_log=False,
            proxy_headers=bool(settings.trusted_proxies.strip()),
            forwarded_allow_ips=settings.trusted_proxies.strip() or None,
            ws="websockets-sansio" if "websockets-sansio" in WS_PROTOCOLS else "auto",
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def background_note(storage: Storage) -> str:
    from storage.lease import lease_for

    lease = lease_for(storage)
    try:
        holder = lease.holder()
    finally:
        lease.release()
    if holder is not None:
        return f"Background work: not in this process (--no-background); {holder} runs it."
    return (
        "Background work: not in this process (--no-background), and no process holds the"
        " lease now: the views, expiries and webhooks wait until `introductions worker` or"
        " a `serve` without --no-background runs on this database."
    )


def export_schema() -> None:
    """Print the GraphQL schema (SDL) the service serves."""
    from api.schema import schema_sdl

    typer.echo(schema_sdl(), nl=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command("export-schema")(export_schema)
