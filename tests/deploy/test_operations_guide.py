"""The README documents what the code offers: every variable it reads and every command."""

from __future__ import annotations

import typer.main

from api.cli import app
from tests.deploy.files import REPO, variables_the_code_reads

# Set by `serve` for its own uvicorn worker processes, not by operators.
INTERNAL = {"INTRODUCTIONS_SERVE_LOG_LEVEL"}


def test_every_variable_the_code_reads_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    missing = sorted(v for v in variables_the_code_reads() - INTERNAL if f"`{v}`" not in readme)
    assert not missing, f"README.md does not document {missing}"


def test_every_command_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    missing = sorted(c for c in commands if f"`introductions {c}" not in readme)
    assert not missing, f"README.md does not document {missing}"
