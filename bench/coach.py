"""The reply coach against the project's labelled corpus (tests/coach/corpus.jsonl):
accuracy, precision and recall per verdict, the confusion table, and the time per
message. Pure computation: no storage, no server."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from bench.config import Config
from bench.report import Table
from domain.coach import COACH_VERSION, Assessment, Setting, Verdict, assess

CORPUS = Path(__file__).parents[1] / "tests" / "coach" / "corpus.jsonl"
VERDICTS = [v.value for v in Verdict]
REPEATS = 20  # passes over the corpus for the timing


@dataclass(frozen=True)
class Case:
    id: str
    verdict: str
    text: str
    setting: Setting | None


def load_corpus(path: Path = CORPUS) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        s = row.get("setting")
        setting = (
            Setting(
                guidelines=s.get("guidelines"),
                context=s.get("context"),
                introducer_name=s.get("introducer"),
                recipient_name=s.get("recipient"),
            )
            if s
            else None
        )
        cases.append(Case(row["id"], row["verdict"], row["text"], setting))
    return cases


def judge(case: Case) -> Assessment:
    return assess(case.text, case.setting)


@dataclass(frozen=True)
class Scores:
    total: int
    correct: int
    confusion: dict[tuple[str, str], int]  # (expected, got) -> count

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def precision(self, verdict: str) -> float:
        said = sum(n for (_, got), n in self.confusion.items() if got == verdict)
        return self.confusion.get((verdict, verdict), 0) / said if said else 0.0

    def recall(self, verdict: str) -> float:
        actual = sum(n for (expected, _), n in self.confusion.items() if expected == verdict)
        return self.confusion.get((verdict, verdict), 0) / actual if actual else 0.0


def score(cases: list[Case]) -> Scores:
    confusion: dict[tuple[str, str], int] = {}
    correct = 0
    for case in cases:
        got = judge(case).verdict.value
        confusion[(case.verdict, got)] = confusion.get((case.verdict, got), 0) + 1
        correct += got == case.verdict
    return Scores(len(cases), correct, confusion)


def microseconds_per_message(cases: list[Case], repeats: int = REPEATS) -> float:
    """CPU time of this thread per message: on a shared machine, wall time also counts
    the time other processes held the CPU."""
    started = time.thread_time()
    for _ in range(repeats):
        for case in cases:
            judge(case)
    return (time.thread_time() - started) / (repeats * len(cases)) * 1e6


def reference_loop_ns(iterations: int = 1_000_000) -> float:
    """CPU nanoseconds per iteration of an empty Python loop, measured in the same run: a
    yardstick of how fast this machine ran Python then, to compare runs by."""
    started = time.thread_time()
    for _ in range(iterations):
        pass
    return (time.thread_time() - started) / iterations * 1e9


def run(config: Config, folder: Path) -> list[Table]:
    cases = load_corpus()
    scores = score(cases)
    per_message = microseconds_per_message(cases, 3 if config.quick else REPEATS)
    summary = Table(
        f"Reply coach ({COACH_VERSION}) on {len(cases)} labelled messages",
        ["verdict", "messages", "precision", "recall"],
        notes=[
            f"accuracy {scores.accuracy:.1%} ({scores.correct} of {scores.total})",
            f"{per_message:,.0f} µs of CPU per message (mean over {len(cases)} messages, "
            f"{3 if config.quick else REPEATS} passes, one thread)",
            f"reference: an empty Python loop took {reference_loop_ns():.0f} ns of CPU per "
            "iteration in the same run",
        ],
    )
    for verdict in VERDICTS:
        actual = sum(n for (e, _), n in scores.confusion.items() if e == verdict)
        summary.add(
            verdict, actual, f"{scores.precision(verdict):.1%}", f"{scores.recall(verdict):.1%}"
        )
    confusion = Table(
        "Reply coach: confusion (rows: the label, columns: the coach's verdict)",
        ["label", *VERDICTS],
    )
    for expected in VERDICTS:
        confusion.add(expected, *(scores.confusion.get((expected, got), 0) for got in VERDICTS))
    return [summary, confusion]
