"""The reply coach: reads a first message after an introduction and says how likely it
is to burn it, why (the words that show it), and what to write instead.

Pure and deterministic: standard library only, no I/O, no model. Each detector in
signals.py is a rule over word classes (lexicon.py); a problem adds its weight to the
risk and a strength (thanks, research, advice asked, value offered) takes its weight
off. docs/coach.md lists the rules, the weights and the measured accuracy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from domain.coach.asks import demands, passes_on, pitches, pressure, self_asks, vague_asks
from domain.coach.form import form_letter, nothing_for_them, research, self_focus
from domain.coach.guidelines import Setting, against_guidelines, on_context
from domain.coach.signals import MISUSED_CONTACT, TRANSACTIONAL_ASK, Draft, Signal
from domain.coach.strengths import strengths, thanks_introducer

# Bumped whenever a rule, a word class or a weight changes: the same text and the same
# version always give the same assessment.
COACH_VERSION = "coach-1"

BASE_RISK = 0.1
FORM_CAP = 0.4  # form letters and missing research alone never make a burn
CREDIT_CAP = 0.6
LIKELY_BURN_AT = 0.6
NEEDS_WORK_AT = 0.3
ASK_FLOOR = 0.25
REPEATED_ASK = 0.25  # an ask for oneself this strong is never GOOD, however polite
FINDINGS_MAX = 6
ASKS = frozenset({TRANSACTIONAL_ASK, MISUSED_CONTACT})
DETECTORS: tuple[Callable[[Draft], list[Signal]], ...] = (
    self_asks,
    demands,
    vague_asks,
    pitches,
    passes_on,
    pressure,
    form_letter,
    research,
    self_focus,
    strengths,
)


class Verdict(StrEnum):
    LIKELY_BURN = "LIKELY_BURN"
    NEEDS_WORK = "NEEDS_WORK"
    GOOD = "GOOD"


@dataclass(frozen=True)
class Finding:
    reason: str  # a BurnReason value
    evidence: str  # words of the message
    advice: str


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    risk: float
    findings: tuple[Finding, ...]
    strengths: tuple[str, ...]  # what the message does well, in words
    coach_version: str = COACH_VERSION


def signals_of(text: str, setting: Setting | None = None) -> list[Signal]:
    d = Draft.of(text)
    found = [signal for detect in DETECTORS for signal in detect(d)]
    found += thanks_introducer(d, setting.introducer_name if setting else None)
    if setting is not None:
        found += against_guidelines(d, [s for s in found if s.reason in ASKS], setting)
        found += on_context(d, setting)
    found += nothing_for_them(d, found)
    return found


def assess(text: str, setting: Setting | None = None) -> Assessment:
    signals = signals_of(text, setting)
    problems = [s for s in signals if s.reason is not None]
    ask = ask_weight([s for s in problems if s.reason in ASKS])
    form = min(FORM_CAP, sum(s.weight for s in problems if s.reason not in ASKS))
    credit = min(CREDIT_CAP, sum(s.weight for s in signals if s.reason is None))
    risk = max(0.0, min(1.0, BASE_RISK + ask + form - credit))
    if ask >= ASK_FLOOR:
        risk = max(risk, NEEDS_WORK_AT)
    if risk >= LIKELY_BURN_AT:
        verdict = Verdict.LIKELY_BURN
    elif risk >= NEEDS_WORK_AT:
        verdict = Verdict.NEEDS_WORK
    else:
        verdict = Verdict.GOOD
    return Assessment(
        verdict=verdict,
        risk=round(risk, 3),
        findings=findings_of(problems),
        strengths=tuple(f"{s.name}: “{s.evidence}”" for s in signals if s.reason is None),
    )


def ask_weight(asks: list[Signal]) -> float:
    """The heaviest ask of each topic in full, the others of that topic at a quarter:
    asking for a job three ways is one job ask made pushier, not three."""
    total = 0.0
    by_topic: dict[str | None, list[float]] = {}
    for s in asks:
        by_topic.setdefault(s.topic, []).append(s.weight)
    for weights in by_topic.values():
        ordered = sorted(weights, reverse=True)
        total += ordered[0] + REPEATED_ASK * sum(ordered[1:])
    return min(1.0, total)


def findings_of(problems: list[Signal]) -> tuple[Finding, ...]:
    """The heaviest problems first, each (reason, evidence) once."""
    seen: set[tuple[str, str]] = set()
    findings = []
    for s in sorted(problems, key=lambda s: -s.weight):
        assert s.reason is not None
        if (s.reason, s.evidence) in seen:
            continue
        seen.add((s.reason, s.evidence))
        findings.append(Finding(s.reason, s.evidence, s.advice))
    return tuple(findings[:FINDINGS_MAX])


__all__ = ["COACH_VERSION", "Assessment", "Finding", "Setting", "Verdict", "assess"]
