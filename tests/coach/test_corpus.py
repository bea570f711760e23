"""The reply coach against the project's labelled corpus (tests/coach/corpus.jsonl): each
case as its own test, the accuracy floor, evidence taken from the message, and the same
answer for the same text in any process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.coach import Case, judge, load_corpus, score
from domain.coach import COACH_VERSION, assess
from domain.introduction import BurnReason

REPO = Path(__file__).parents[2]
CASES = load_corpus()
ACCURACY_FLOOR = 0.9
# Labelled cases the coach gets wrong today, each with why. A case fixed by a change of
# the rules fails here (strict) until it is taken off the list.
KNOWN_MISSES = {
    "work-28": "LIKELY_BURN: a generic hello, a canned 'like to connect' and a fishing "
    "ask for 'opportunities' add up past the burn threshold; labelled NEEDS_WORK",
    "burn-81": "NEEDS_WORK: a real 'congrats on the Series B' earns the credit of research, "
    "which offsets the ask for an investment below the burn threshold",
}


def test_the_corpus_is_large_and_balanced() -> None:
    counts = {
        v: sum(1 for c in CASES if c.verdict == v) for v in ("LIKELY_BURN", "NEEDS_WORK", "GOOD")
    }
    assert sum(counts.values()) >= 80
    assert min(counts.values()) >= 0.8 * max(counts.values()), counts
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c.id, marks=pytest.mark.xfail(reason=KNOWN_MISSES[c.id], strict=True))
        if c.id in KNOWN_MISSES
        else pytest.param(c, id=c.id)
        for c in CASES
    ],
)
def test_case(case: Case) -> None:
    assessment = judge(case)
    assert assessment.verdict.value == case.verdict, (case.text, assessment)
    if case.verdict != "GOOD":
        assert assessment.findings, "a verdict other than GOOD says why"


def test_accuracy_on_the_corpus_is_at_least_the_floor() -> None:
    scores = score(CASES)
    assert scores.accuracy >= ACCURACY_FLOOR, scores.confusion


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_finding_quotes_words_of_the_message(case: Case) -> None:
    for finding in judge(case).findings:
        assert finding.evidence.strip(), finding
        assert finding.evidence in case.text, finding
        assert finding.reason in {r.value for r in BurnReason}
        assert finding.advice.endswith("."), finding


def test_risk_orders_the_verdicts() -> None:
    by_verdict: dict[str, list[float]] = {}
    for case in CASES:
        a = judge(case)
        assert 0.0 <= a.risk <= 1.0
        by_verdict.setdefault(a.verdict.value, []).append(a.risk)
    assert max(by_verdict["GOOD"]) < min(by_verdict["NEEDS_WORK"])
    assert max(by_verdict["NEEDS_WORK"]) < min(by_verdict["LIKELY_BURN"])


def _answers() -> str:
    return json.dumps(
        [
            [a.verdict.value, a.risk, [[f.reason, f.evidence, f.advice] for f in a.findings]]
            for a in (judge(c) for c in CASES)
        ]
    )


@pytest.mark.processes
def test_the_same_text_gets_the_same_answer_in_any_process() -> None:
    here = _answers()
    assert here == _answers()
    script = "from tests.coach.test_corpus import _answers; print(_answers())"
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        assert done.stdout.strip() == here
    assert assess("Please tell me what you have for me.").coach_version == COACH_VERSION
