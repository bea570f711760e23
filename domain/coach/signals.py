"""What the coach's detectors return: `Signal`s, each a problem (a burn reason, a
weight added to the risk, the words that show it, advice) or a strength (no reason, a
weight taken off the risk); and the `Draft` they read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from domain.coach.text import Sentence, evidence, lowered, sentences

TRANSACTIONAL_ASK = "TRANSACTIONAL_ASK"
NO_RESEARCH = "NO_RESEARCH"
CANNED_MESSAGE = "CANNED_MESSAGE"
MISUSED_CONTACT = "MISUSED_CONTACT"
OTHER = "OTHER"

# What an ask is about; guidelines forbid topics (guidelines.py).
JOB, MONEY, SALES, REFERRAL = "job", "money", "sales", "referral"


@dataclass(frozen=True)
class Signal:
    name: str
    reason: str | None  # None: a strength
    weight: float
    evidence: str
    advice: str = ""
    topic: str | None = None


@dataclass(frozen=True)
class Draft:
    """The message, and its lowered copy (same offsets) that the detectors search; each
    sentence's text is lowered too. Evidence is always quoted from the message."""

    text: str
    low: str
    sentences: list[Sentence]
    words: list[str]

    @classmethod
    def of(cls, text: str) -> Draft:
        low = lowered(text)
        found = sentences(low)
        return cls(text, low, found, [w for s in found for w in s.words])

    def original(self, sentence: Sentence) -> str:
        return self.text[sentence.start : sentence.end]

    def quote(self, sentence: Sentence, m: re.Match[str] | None = None) -> str:
        if m is None:
            return evidence(self.text, sentence.start, sentence.end)
        return evidence(self.text, sentence.start + m.start(), sentence.start + m.end())

    def quote_span(self, sentence: Sentence, start: int, end: int) -> str:
        return evidence(self.text, sentence.start + start, sentence.start + end)


Detector = Callable[[Draft], list[Signal]]


@dataclass(frozen=True)
class Rule:
    """A problem found by one pattern within a sentence."""

    name: str
    reason: str
    weight: float
    pattern: re.Pattern[str]
    advice: str
    topic: str | None = None
    unless_negated: re.Pattern[str] | None = None  # searched in the sentence before the match


def first_in_sentences(d: Draft, rule: Rule) -> list[Signal]:
    """The rule's signal at its first match, sentence by sentence; none if no match."""
    for s in d.sentences:
        m = rule.pattern.search(s.text)
        if m is None:
            continue
        if rule.unless_negated is not None and rule.unless_negated.search(s.text[: m.start()]):
            continue
        return [Signal(rule.name, rule.reason, rule.weight, d.quote(s, m), rule.advice, rule.topic)]
    return []
