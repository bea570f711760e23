"""`introductions worker` and `introductions rebuild`: the projections, run or rebuilt."""

from __future__ import annotations

import faulthandler
import logging
from typing import Annotated

import prometheus_client
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from domain.stop_signals import StopSignals
from projections.rebuild import rebuild as rebuild_views
from projections.registry import NAMES
from storage.database import storage_from_environment

# Stopping takes seconds (a webhook attempt in flight ends within its timeout, 10 s
# unless INTRODUCTIONS_WEBHOOK_TIMEOUT_SECONDS says more): a worker still stopping after
# this long prints where each of its threads is, and goes on stopping.
STOP_REPORT_AFTER = 25.0


def worker(
    sweep_interval: Annotated[
        float, typer.Option(help="Seconds between expiry sweeps.", min=0.1)
    ] = 60.0,
    webhooks: Annotated[bool, typer.Option(help="Also deliver webhooks (the dispatcher).")] = True,
    metrics_port: Annotated[
        int,
        typer.Option(help="Serve Prometheus metrics (webhook deliveries, backlog) on this port."),
    ] = 0,
    metrics_host: Annotated[str, typer.Option(help="Interface for the metrics.")] = "127.0.0.1",
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Compete for the background lease, as every `serve` does, and while holding it
    follow the event log into every projection, expire stale introductions and deliver
    webhooks, until SIGTERM or Ctrl-C. Any number may run: one works, the others stand by."""
    from api.background import background

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    storage = storage_from_environment()
    stop_signals = StopSignals()
    work = background(storage, sweep_interval=sweep_interval, webhooks=webhooks)
    try:
        work.start()
        if metrics_port:
            # The worker serves no API: on PostgreSQL its dispatcher's metrics are here.
            prometheus_client.start_http_server(metrics_port, addr=metrics_host)
        typer.echo(f"introductions worker: following {storage.display}", err=True)
        received = stop_signals.wait()
        typer.echo(f"introductions worker: stopping ({received.name})", err=True)
    finally:
        faulthandler.dump_traceback_later(STOP_REPORT_AFTER)
        work.stop()
        faulthandler.cancel_dump_traceback_later()
    typer.echo("introductions worker: stopped", err=True)


def rebuild(
    projection: Annotated[
        list[str] | None,
        typer.Option(
            "--projection",
            "-p",
            help=f"A projection to rebuild (repeatable): {', '.join(NAMES)}. Default: all.",
        ),
    ] = None,
) -> None:
    """Drop projections and rebuild them from the start of the event log."""
    names = tuple(projection or NAMES)
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        typer.echo(
            f"introductions: no projection named {', '.join(unknown)}; "
            f"choose from {', '.join(NAMES)}",
            err=True,
        )
        raise typer.Exit(2)
    storage = storage_from_environment()
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>10,.0f} events/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task("rebuilding", total=None, rate=0.0)

        def advance(position: int, end: int, events: int) -> None:
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = events / elapsed if elapsed > 0 else 0.0
            bar.update(task, completed=position, total=end, rate=rate)

        result = rebuild_views(storage, names, progress=advance)
    rate = result.events / result.seconds if result.seconds > 0 else 0.0
    typer.echo(
        f"Rebuilt {', '.join(result.names)}: {result.events:,} events "
        f"in {result.seconds:.1f} s ({rate:,.0f} events/s)."
    )


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(rebuild)
