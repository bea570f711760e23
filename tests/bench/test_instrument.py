"""The benchmark instrument keeps working: `python -m bench all --quick` runs every part
against real processes and storage, and reports every table without touching
BENCHMARKS.md. How fast anything is, is not asserted here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, missing_tool, skip_without_postgres

REPO = Path(__file__).parents[2]
TITLES = (
    "Command throughput in process",
    "HTTP, SQLite, one `serve` process",
    "Seeded logs",
    "Scale: p50 latency",
    "Memory of `serve`",
    "Audit: `verify`",
    "Projection catch-up",
    "Webhook deliveries",
    "Idle `serve`",
    "`recordReply` over HTTP",
    "SQLite, `serve --workers 2` vs one process",
    "Reply coach",
    "Sealing personal data",
    "suggestedIntroductions(first: 10)",
    "Person reads in commands",
)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(1000)  # its subprocess has 900 s
def test_python_m_bench_all_quick_reports_every_measurement(tmp_path: Path) -> None:
    skip_without_postgres()
    if not shutil.which("wrk"):
        missing_tool("wrk is not installed (apt-get install wrk)")
    benchmarks = (REPO / "BENCHMARKS.md").read_bytes()
    results = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "all",
            "--quick",
            "--no-write",
            "--sizes",
            "1000,3000",
            "--postgres-url",
            POSTGRES_URL,
            "--cache-dir",
            str(tmp_path / "cache"),
            "--results-dir",
            str(results),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,  # minutes on a loaded machine; about one when quiet
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    report = (results / "last-run.md").read_text()
    for title in TITLES:
        assert title in report, report
    assert "python -m bench all --quick --no-write" in report
    assert "Load average (1 / 5 / 15 min) after" in report
    assert "| `leaderboard(first: 10)` |" in report
    assert "| `introductionAt(last version)` |" in report
    assert (REPO / "BENCHMARKS.md").read_bytes() == benchmarks


def test_a_new_run_replaces_the_latest_and_keeps_the_preamble(tmp_path: Path) -> None:
    from bench.report import RUN_HEADING, replace_latest_run

    path = tmp_path / "BENCHMARKS.md"
    path.write_text(
        f"# Benchmarks\n\nWhat this is.\n\n{RUN_HEADING}yesterday\n\nold\n\n### Reading\n"
    )
    replace_latest_run(path, f"{RUN_HEADING}today\n\nnew\n")
    assert path.read_text() == f"# Benchmarks\n\nWhat this is.\n\n{RUN_HEADING}today\n\nnew\n"


def test_one_part_leaves_benchmarks_md_as_it_is(tmp_path: Path) -> None:
    # Its run would otherwise take the place of every other part's figures.
    benchmarks = (REPO / "BENCHMARKS.md").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "bench", "coach", "--results-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert (REPO / "BENCHMARKS.md").read_bytes() == benchmarks
    assert "Reply coach" in (tmp_path / "last-run.md").read_text()
