"""One benchmark instrument: `python -m bench all` seeds its own data in process, runs
every measurement beside its baseline, prints the tables, writes the scale chart and
writes the run to BENCHMARKS.md in place of the previous one. `python -m bench PART`
runs one part and leaves BENCHMARKS.md as it is."""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

from bench import (
    coach,
    commands,
    http,
    idle,
    machine,
    personal,
    profile_cache,
    projections,
    scale,
    scaleout,
    suggestion_scale,
    webhooks,
    workers,
)
from bench.config import Config, make_config
from bench.report import Report, Table

PARTS = {
    "commands": "in-process command throughput vs the library floor and raw inserts",
    "http": "introducerReputation and recordReply over HTTP vs the framework floor",
    "scale": "p50 of four queries as the log grows; memory of serve; the chart; "
    "suggestedIntroductions from 1,000 to 100,000 people",
    "projections": "projection catch-up vs raw read-and-decode",
    "webhooks": "webhook deliveries/s vs httpx alone; commit-to-receipt latency",
    "idle": "CPU of an idle serve (SQLite, PostgreSQL); then read-your-writes and webhook latency",
    "scaleout": "PostgreSQL serve --workers 2 + worker vs one SQLite serve (recordReply)",
    "personal": "commands and recordReply in process with personal data sealed vs plain",
    "workers": "SQLite serve --workers 2 vs one process; failover time of the lease",
    "coach": "the reply coach on its labelled corpus: accuracy, precision, recall, µs/message",
    "cache": "proposals/s with the fast-forward person cache vs no aggregate cache",
}


def run_part(name: str, config: Config, folder: Path, report: Report) -> None:
    tables: list[Table]
    if name == "scale":
        tables, series = scale.run(config, folder)
        tables += suggestion_scale.run(config, folder)
        # The README shows scale.png: a --no-write or --quick run leaves it as it was.
        png_name = "scale.png" if config.write else "scale-last-run.png"
        png = scale.chart(series, config.results_dir / png_name)
        report.console.print(
            f"chart: {png}" if png else "chart: skipped (pip install -e '.[bench]')"
        )
    elif name == "coach":
        tables = coach.run(config, folder)
    else:
        modules = {
            "commands": commands,
            "http": http,
            "projections": projections,
            "webhooks": webhooks,
            "idle": idle,
            "scaleout": scaleout,
            "personal": personal,
            "cache": profile_cache,
            "workers": workers,
        }
        found = modules[name].run(config, folder)
        tables = [] if found is None else [found]
    for table in tables:
        report.show(table)


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and short runs, for development and the smoke test",
    )
    common.add_argument("--runs", type=int, help="runs per figure, whose median is shown (3)")
    common.add_argument("--duration", type=int, help="whole seconds of each wrk run (10; quick 1)")
    common.add_argument("--sizes", help="log sizes for the scale part, e.g. 10000,100000,1000000")
    common.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    common.add_argument(
        "--postgres-url",
        help="a database to create schemas in "
        "(default: $INTRODUCTIONS_BENCH_POSTGRES_URL or .../test on 127.0.0.1)",
    )
    common.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    common.add_argument("--cache-dir", type=Path, help="seeded logs (/tmp/introductions-bench)")
    common.add_argument("--results-dir", type=Path, help="chart and last run (bench/results)")
    common.add_argument(
        "--no-write",
        action="store_true",
        help="all: leave BENCHMARKS.md as it is (a part never writes it)",
    )
    top = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = top.add_subparsers(dest="part", required=True)
    sub.add_parser("all", parents=[common], help="every part")
    for name, summary in PARTS.items():
        sub.add_parser(name, parents=[common], help=summary)
    return top


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    config = make_config(
        quick=args.quick,
        runs=args.runs,
        duration=args.duration,
        sizes=args.sizes,
        postgres_url=args.postgres_url,
        no_postgres=args.no_postgres,
        cache_dir=args.cache_dir,
        results_dir=args.results_dir,
        # One part's run would take the place of the whole run's figures.
        write=args.part == "all" and not args.no_write,
        connections=args.connections,
    )
    report = Report(command="python -m bench " + shlex.join(argv))
    report.machine = machine.describe(config.postgres_url)
    for line in report.machine:
        report.console.print(line)
    parts = list(PARTS) if args.part == "all" else [args.part]
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="introductions-bench-") as folder:
        for name in parts:
            report.console.rule(name)
            started = time.perf_counter()
            try:
                run_part(name, config, Path(folder), report)
            except (Exception, SystemExit) as e:  # the other parts' figures still count
                if isinstance(e, Exception):
                    report.console.print_exception()
                why = (str(e).splitlines() or [""])[0][:300]
                failed.append(f"{name}: {type(e).__name__}: {why}")
                report.show(Table(f"{name}: FAILED", ["error"], [[failed[-1]]]))
            report.timings[name] = time.perf_counter() - started
            report.console.print(f"{name}: {report.timings[name]:.0f} s")
    report.machine.append(f"Load average (1 / 5 / 15 min) after: {machine.load()}")
    saved = report.save(config.results_dir, append_to_benchmarks=config.write)
    report.console.print(
        f"Done in {sum(report.timings.values()):.0f} s; the Markdown is in {saved}"
        + ("" if config.write else " (BENCHMARKS.md left as it was)")
    )
    if failed:
        raise SystemExit("Failed: " + "; ".join(failed))


if __name__ == "__main__":
    main()
