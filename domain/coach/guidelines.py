"""Holding a message against the introduction: the introducer's guidelines (what they
asked the requester not to ask for, or to ask for instead) and its context."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.coach.signals import (
    JOB,
    MISUSED_CONTACT,
    MONEY,
    OTHER,
    REFERRAL,
    SALES,
    Draft,
    Signal,
)
from domain.coach.strengths import ADVICE_ASK
from domain.coach.text import evidence, lowered, tokens, words

CLAUSE = re.compile(r"[^.;!?\n]+")
NEGATION_CUE = re.compile(
    words(
        "not",
        "no",
        "don't",
        "do not",
        "never",
        "avoid",
        "without",
        "rather than",
        "instead of",
        "refrain from",
        "nothing about",
        "isn't",
        "is not",
        "won't",
        "shouldn't",
        "should not",
    )
)
ONLY_ADVICE = re.compile(
    r"\b(?:only|just|purely|strictly)\b[^.;\n]{0,30}\badvice\b|\badvice\s+only\b"
)
WANTS_ADVICE = re.compile(r"\bask\b[^.;\n]{0,30}\b(?:advice|questions?|perspective)\b")
TOPIC_WORDS = {
    JOB: re.compile(
        words(
            "jobs?",
            "roles?",
            "positions?",
            "employment",
            "work",
            "hir(?:e|ing)",
            "openings?",
            "resumes?",
            "cvs?",
            "vacanc(?:y|ies)",
            "internships?",
        )
    ),
    MONEY: re.compile(
        words(
            "money", "funding", "invest(?:ment|ors?)?", "loans?", "donations?", "budget", "capital"
        )
    ),
    SALES: re.compile(
        words(
            "sell(?:ing)?",
            "pitch(?:es|ing)?",
            "sales",
            "products?",
            "demos?",
            "services",
            "vendors?",
        )
    ),
    REFERRAL: re.compile(
        words(
            "referrals?",
            "refer",
            "introductions? to",
            "intros? to",
            "contacts",
            "network",
            "forward",
            "pass(?:ing)? on",
        )
    ),
}
STOP = frozenset(
    (
        "about",
        "above",
        "after",
        "again",
        "also",
        "been",
        "being",
        "both",
        "could",
        "does",
        "doing",
        "each",
        "from",
        "have",
        "having",
        "help",
        "here",
        "i'm",
        "into",
        "it's",
        "just",
        "like",
        "looking",
        "more",
        "most",
        "much",
        "only",
        "other",
        "over",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "very",
        "wants",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "you'd",
        "you're",
        "your",
        "yours",
    )
)


@dataclass(frozen=True)
class Setting:
    """What the coach knows of an introduction; every field may be missing."""

    guidelines: str | None = None
    context: str | None = None
    introducer_name: str | None = None
    recipient_name: str | None = None
    recipient_about: tuple[str, ...] = ()  # the recipient's offers and organization


def forbidden_topics(guidelines: str) -> dict[str, str]:
    """Each topic the guidelines rule out, with the clause that does."""
    found: dict[str, str] = {}
    for clause in CLAUSE.finditer(lowered(guidelines)):
        text = clause.group(0)
        said = guidelines[clause.start() : clause.end()].strip()
        if ONLY_ADVICE.search(text):
            for topic in (JOB, MONEY, SALES, REFERRAL):
                found.setdefault(topic, said)
        cue = NEGATION_CUE.search(text)
        if cue is None:
            continue
        scope = text[cue.end() :]
        for topic, pattern in TOPIC_WORDS.items():
            if pattern.search(scope):
                found.setdefault(topic, said)
    return found


def against_guidelines(d: Draft, problems: list[Signal], setting: Setting) -> list[Signal]:
    if not setting.guidelines:
        return []
    who = setting.introducer_name or "The introducer"
    found = []
    ruled_out = forbidden_topics(setting.guidelines)
    for signal in problems:
        clause = ruled_out.get(signal.topic or "")
        if clause is None:
            continue
        found.append(
            Signal(
                "goes against the introducer's guidelines",
                MISUSED_CONTACT,
                0.4,
                signal.evidence,
                f"{who} asked: “{evidence(clause, 0, len(clause))}”; take this ask out.",
                signal.topic,
            )
        )
        del ruled_out[signal.topic or ""]
    if WANTS_ADVICE.search(lowered(setting.guidelines)) and not ADVICE_ASK.search(d.low):
        body = next((s for s in d.sentences if len(s.text.strip()) > 12), None)
        found.append(
            Signal(
                "does not ask for what the guidelines ask",
                OTHER,
                0.1,
                d.quote(body) if body else d.text.strip(),
                f"{who} suggested asking for advice; ask them one specific question.",
            )
        )
    return found


def content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in tokens(text) if len(w) > 3 and w not in STOP}


def on_context(d: Draft, setting: Setting) -> list[Signal]:
    """Credit for taking up what the introducer said each can bring the other."""
    about = " ".join((setting.context or "", *setting.recipient_about))
    shared = content_words(about) & content_words(d.text)
    if len(shared) < 2:
        return []
    for m in re.finditer(r"[A-Za-z0-9'’]+", d.text):
        if m.group(0).lower().rstrip("s") in shared:
            return [Signal("takes up the introduction's context", None, 0.1, m.group(0))]
    return []
