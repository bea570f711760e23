"""Audit commands: an introduction's history and replay, and verification of every
hash chain in the log (with checkpoints)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from api.render import (
    change_lines,
    entry_as_dict,
    finding_text,
    human_value,
    verify_summary,
    visible,
)
from domain.application import IntroductionsApp, parse_id
from domain.audit import (
    VerifyReport,
    last_version,
    parse_checkpoint,
    take_checkpoint,
    verify_aggregate,
    verify_log,
)
from domain.errors import DomainError
from domain.replay import replay as replay_steps
from domain.snapshot_audit import verify_snapshots
from storage.bootstrap import open_application


def history(
    introduction_id: str = typer.Argument(..., help="The introduction's id."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Print every event of an introduction, in version order."""
    app = open_application()
    try:
        entries = app.history(introduction_id)
    except DomainError as e:
        typer.echo(f"introductions: {e.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        app.close()
    if as_json:
        for entry in entries:
            typer.echo(visible(json.dumps(entry_as_dict(entry), ensure_ascii=False)))
        return
    table = Table(title=Text(f"Introduction {visible(introduction_id)}"))
    for column in ("version", "time", "type", "actor", "data", "event id"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        row = entry_as_dict(entry)
        cells = (
            str(entry.version),
            row["occurredAt"],
            entry.type,
            entry.actor_id or "system",
            json.dumps(row["data"], ensure_ascii=False),
            row["id"],
        )
        table.add_row(*(Text(visible(cell)) for cell in cells))  # Text: no markup either
    Console().print(table)


def replay(
    introduction_id: str = typer.Argument(..., help="The introduction's id."),
) -> None:
    """Tell an introduction's story: after each event, what it changed."""
    app = open_application()
    try:
        introduction = app.get_introduction(introduction_id)
        names = _person_names(app, introduction.introducer_id, *introduction.parties)
        for step in replay_steps(app, introduction.id):
            entry = step.entry
            actor = names.get(entry.actor_id or "", entry.actor_id or "the system")
            say(f"v{entry.version}  {entry.occurred_at.isoformat()}  {entry.type} by {actor}")
            if entry.version > 1:  # the first event's data is the whole first state
                for key, value in entry.data.items():
                    say(f"      said {key}: {human_value(value, names)}")
            for line in change_lines(step, names) or ["(no change to the state)"]:
                say(f"    {line}")
    except DomainError as e:
        typer.echo(f"introductions: {e.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        app.close()


def verify(
    aggregate_id: str | None = typer.Option(
        None, "--id", help="Verify only this aggregate's chain (an introduction, a person…)."
    ),
    checkpoint: str | None = typer.Option(
        None, "--checkpoint", help="Also prove nothing recorded before this checkpoint is gone."
    ),
    snapshots: bool = typer.Option(
        False, "--snapshots", help="Also rebuild every snapshotted state and compare (slower)."
    ),
) -> None:
    """Recompute every hash chain from the stored events; exit 1 at the first that breaks."""
    if aggregate_id is not None and checkpoint is not None:
        _fail_usage("--checkpoint covers the whole log: do not combine it with --id.")
    if checkpoint is not None:
        try:
            parse_checkpoint(checkpoint)
        except ValueError as e:
            _fail_usage(str(e))
    app = open_application()
    try:
        started = time.perf_counter()
        if aggregate_id is None:
            with _progress(_log_size(app), "Verifying the log") as advance:
                report = verify_log(app, checkpoint=checkpoint, on_progress=advance)
        else:
            try:
                uuid = parse_id(aggregate_id, "id")
            except DomainError as e:
                _fail_usage(e.message)
            with _progress(last_version(app, uuid), f"Verifying {uuid}") as advance:
                report = verify_aggregate(app, uuid, on_progress=advance)
            if report.events == 0:
                _fail_usage(f"No events are recorded for {aggregate_id}.")
        if snapshots and report.ok:
            with _progress(report.aggregates, "Checking snapshots") as advance:
                report.findings += verify_snapshots(app, report.aggregate_ids, on_progress=advance)
        seconds = time.perf_counter() - started
    finally:
        app.close()
    _report(report, seconds, snapshots=snapshots)


def checkpoint() -> None:
    """Verify the log, then print a digest of every chain's head and the log's position."""
    app = open_application()
    try:
        with _progress(_log_size(app), "Verifying the log") as advance:
            digest, report = take_checkpoint(app, on_progress=advance)
    finally:
        app.close()
    if digest is None:
        _report(report, 0.0)
        return
    typer.echo(digest)


def _report(report: VerifyReport, seconds: float, *, snapshots: bool = False) -> None:
    first = report.first_finding
    if first is None:
        typer.echo(verify_summary(report, seconds, snapshots=snapshots))
        return
    typer.echo(finding_text(first))
    more = len(report.findings) - 1
    if more:
        typer.echo(f"({more} more chain(s) do not hold either.)")
    raise typer.Exit(1)


def _log_size(app: IntroductionsApp) -> int:
    # Positions may have gaps (PostgreSQL), so this is an upper bound for the bar.
    return app.recorder.max_notification_id() or 0


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, so stdout stays a clean answer."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total or None)
        yield lambda n: bar.advance(task, n)


def say(line: str) -> None:
    typer.echo(visible(line))


def _person_names(app: IntroductionsApp, *person_ids: str) -> dict[str, str]:
    found = app.get_persons_batched(list(person_ids))
    return {pid: person.display_name for pid, person in found.items()}


def _fail_usage(message: str) -> NoReturn:
    typer.echo(f"introductions: {message}", err=True)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command()(history)
    app.command()(replay)
    app.command()(verify)
    app.command()(checkpoint)
