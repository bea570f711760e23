"""Audit commands: an introduction's history (and, later, verify and replay)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from api.render import entry_as_dict
from domain.bootstrap import open_application
from domain.errors import DomainError


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
            typer.echo(json.dumps(entry_as_dict(entry), ensure_ascii=False))
        return
    table = Table(title=f"Introduction {introduction_id}")
    for column in ("version", "time", "type", "actor", "data"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        row = entry_as_dict(entry)
        table.add_row(
            str(entry.version),
            row["occurredAt"],
            entry.type,
            entry.actor_id or "system",
            json.dumps(row["data"], ensure_ascii=False),
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command()(history)
