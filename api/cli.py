"""The `introductions` command. Each group of commands lives in api/commands/."""

from __future__ import annotations

import sys

import typer

from api.commands import (
    audit_cmds,
    forget_cmds,
    projection_cmds,
    serve_cmds,
    story,
    transfer_cmds,
)
from domain.errors import ConfigurationError

app = typer.Typer(
    help="Introductions: who introduced whom, and what became of it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
story.register(app)
audit_cmds.register(app)
projection_cmds.register(app)
serve_cmds.register(app)
transfer_cmds.register(app)
forget_cmds.register(app)


def main() -> None:
    try:
        app()
    except ConfigurationError as e:
        print(f"introductions: {e}", file=sys.stderr)
        sys.exit(2)
