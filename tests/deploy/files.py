"""Reading the deployment files (docker-compose.yml, Dockerfile, .env.example) and what
they must agree with: the CLI's commands and the variables the code reads."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import shlex
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import typer.main
import yaml
from pydantic_settings import BaseSettings

REPO = Path(__file__).parents[2]
VARIABLE = re.compile(r"INTRODUCTIONS_[A-Z0-9_]+")


def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def service(name: str) -> dict[str, Any]:
    return compose()["services"][name]


def listed_packages() -> list[str]:
    """pyproject's packages, subpackages included (what a regular install holds)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    return list(project["tool"]["setuptools"]["packages"])


def packages() -> list[str]:
    """The top-level packages: the folders the image copies."""
    return sorted({name.split(".")[0] for name in listed_packages()})


def parse_command(argv: list[str]) -> tuple[str, dict[str, Any]]:
    """(sub-command, its parsed parameters) as the real CLI parses `argv`; raises a
    click error for an unknown command or option, or a value it refuses."""
    from api.cli import app

    assert argv[0] == "introductions", argv
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    command = commands.get(argv[1])
    assert command is not None, f"no command {argv[1]!r}: {sorted(commands)}"
    context = command.make_context(argv[1], list(argv[2:]))
    return argv[1], dict(context.params)


@cache
def variables_the_code_reads() -> frozenset[str]:
    """Every INTRODUCTIONS_* name written in the packages, and every field of their
    pydantic settings classes under its environment prefix."""
    names: set[str] = set()
    for package in packages():
        for path in (REPO / package).rglob("*.py"):
            names.update(VARIABLE.findall(path.read_text()))
        for module in pkgutil.walk_packages([str(REPO / package)], prefix=f"{package}."):
            loaded = importlib.import_module(module.name)
            for _, cls in inspect.getmembers(loaded, inspect.isclass):
                if issubclass(cls, BaseSettings) and cls is not BaseSettings:
                    prefix = cls.model_config.get("env_prefix", "")
                    names.update(f"{prefix}{field}".upper() for field in cls.model_fields)
    return frozenset(names)


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) per instruction, continuation lines joined."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            found.append((instruction.upper(), rest.strip()))
    return found


def exec_form(arguments: str) -> list[str]:
    """A JSON-array instruction argument (CMD ["a", "b"]) as a list."""
    value = json.loads(arguments)
    assert isinstance(value, list), arguments
    return [str(v) for v in value]


def env_file_names(path: Path) -> set[str]:
    return {
        shlex.split(line)[0].split("=", 1)[0]
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
