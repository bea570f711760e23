"""The results of one invocation: tables printed with rich, and the same tables as
Markdown, appended to BENCHMARKS.md as a dated section with the machine and command."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table as RichTable

from bench.config import REPO


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(c) for c in cells])

    def markdown(self) -> str:
        lines = [f"**{self.title}**", ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append(
            "|" + "|".join("---" if i == 0 else "---:" for i in range(len(self.columns))) + "|"
        )
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        lines += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines).rstrip() + "\n"

    def rich(self) -> RichTable:
        table = RichTable(title=self.title, title_justify="left", caption="\n".join(self.notes))
        for i, column in enumerate(self.columns):
            table.add_column(column, justify="left" if i == 0 else "right")
        for row in self.rows:
            table.add_row(*row)
        return table


@dataclass
class Report:
    command: str
    started: datetime = field(default_factory=lambda: datetime.now(tz=UTC))
    machine: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per part
    console: Console = field(
        default_factory=lambda: Console(width=None if sys.stdout.isatty() else 150)
    )

    def show(self, table: Table) -> None:
        self.tables.append(table)
        self.console.print(table.rich())

    def markdown(self) -> str:
        when = self.started.strftime("%Y-%m-%d %H:%M UTC")
        parts = [f"## `python -m bench` run of {when}", ""]
        parts += [f"- {line}" for line in self.machine]
        parts += ["", "    " + self.command, ""]
        parts += [table.markdown() for table in self.tables]
        total = sum(self.timings.values())
        spent = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.timings.items())
        parts.append(f"Wall time: {total:.0f} s ({spent}).\n")
        return "\n".join(parts)

    def save(self, results_dir: Path, append_to_benchmarks: bool) -> Path:
        results_dir.mkdir(parents=True, exist_ok=True)
        text = self.markdown()
        last = results_dir / "last-run.md"
        last.write_text(text)
        if append_to_benchmarks:
            replace_latest_run(REPO / "BENCHMARKS.md", text)
        return last


RUN_HEADING = "## `python -m bench` run of "


def replace_latest_run(path: Path, run: str) -> None:
    """BENCHMARKS.md keeps its preamble and the latest run only (earlier ones live in
    git): the new run takes the place of the old one and of its reading."""
    text = path.read_text(encoding="utf-8")
    preamble = text.split(RUN_HEADING, 1)[0].rstrip("\n")
    path.write_text(preamble + "\n\n" + run, encoding="utf-8")
