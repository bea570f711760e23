"""domain/ holds the aggregates, events, rules, errors and the application: it imports
the standard library and eventsourcing, never SQL, a driver or the storage package."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).parents[2] / "domain"
SQL = {"sqlite3", "psycopg", "psycopg_pool", "eventsourcing.sqlite", "eventsourcing.postgres"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def refused(name: str) -> bool:
    top = name.split(".")[0]
    if any(name == s or name.startswith(f"{s}.") for s in SQL):
        return True
    return top not in sys.stdlib_module_names and top not in {"domain", "eventsourcing"}


def test_domain_imports_only_the_standard_library_and_eventsourcing() -> None:
    found = {
        f"{path.name}: {name}"
        for path in sorted(DOMAIN.glob("*.py"))
        for name in imported(path)
        if refused(name)
    }
    assert not found, f"domain/ imports what it must not: {sorted(found)}"
