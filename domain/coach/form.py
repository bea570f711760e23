"""Detectors of a message that could have been sent to anyone: template greetings and
stock phrases, no sign of research into the other person, a message all about the
sender, and nothing in it for them."""

from __future__ import annotations

import re

from domain.coach import lexicon as lx
from domain.coach.signals import (
    CANNED_MESSAGE,
    MISUSED_CONTACT,
    NO_RESEARCH,
    TRANSACTIONAL_ASK,
    Draft,
    Signal,
)
from domain.coach.strengths import MINOR, VAGUE
from domain.coach.text import Sentence, compile_all, evidence

# Two patterns: one that opens with a bracket is found much faster on its own.
PLACEHOLDERS = (
    re.compile(
        r"[\[{<]{1,2}\s*(?:first|last|full|company|recipient|contact|your)?[\s_]*"
        r"(?:name|company|title|organi[sz]ation|position)\s*[\]}>]{1,2}"
    ),
    re.compile(r"\bfirst_?name\b|%s"),
)
NAMELESS_GREETING = re.compile(
    r"^\s*(?:(?:dear|hi|hello|hey|greetings)\s+(?:sir(?:\s*(?:/|or)\s*madam)?|madam|there|all|"
    r"friend|team|colleague|hiring\s+manager|recruiter)\b|to\s+whom\s+it\s+may\s+concern"
    r"|(?:hi|hello|hey|greetings|good\s+(?:morning|afternoon|evening|day))\s*[,.!:\n])"
)
STOCK = compile_all(
    r"\b(?:hope|trust)\s+(?:this|my|the)\s+(?:\w+\s+)?finds\s+you\b",
    r"\bi\s+am\s+writing\s+to\s+(?:introduce|inquire|enquire|express|ask|request)\b",
    r"\b(?:i(?:'|’)?m|i\s+am)\s+reaching\s+out\s+(?:to|because|regarding|about|as)\b",
    r"\bcame\s+across\s+your\s+(?:profile|page|details|name)\b",
    r"\b(?:add|invite)\s+you\s+to\s+my\s+(?:professional\s+)?network\b",
    r"\b(?:expand|grow|build|broaden|extend)\s+my\s+(?:professional\s+)?network\b",
    r"\blike[\s-]?minded\s+(?:professionals|people|individuals)\b",
    r"\bsynerg(?:y|ies)\b",
    r"\bmutually\s+beneficial\b",
    r"\btouch(?:ing)?\s+base\b",
    r"\bat\s+your\s+earliest\s+convenience\b",
    r"\b(?:please\s+)?(?:find|see)\s+(?:attached|enclosed)\b",
    r"\blook(?:ing)?\s+forward\s+to\s+your\s+(?:positive\s+|kind\s+)?(?:response|reply)\b",
    r"\b(?:share|several|many|mutual|common)\s+(?:\w+\s+)?connections\b",
    r"\b(?:let(?:'|’)?s|let\s+us|like\s+to|love\s+to|happy\s+to|glad\s+to|pleasure\s+to)\s+connect\b",
    r"\bstay(?:ing)?\s+in\s+touch\b",
    r"\b(?:explore|discuss)\s+(?:\w+\s+)?(?:opportunities|ways)\b",
    r"\bpick\s+your\s+brain\b",
    r"\b(?:great|valuable)\s+asset\b",
    r"\bthank\s+you\s+for\s+your\s+(?:time\s+and\s+)?consideration\b",
    r"\bseasoned\s+professional|\bteam\s+player\b|\b(?:quick|fast)\s+learner\b|\bhard[\s-]?working\b"
    r"|\bresults[\s-]driven\b|\bpassionate\s+about\b|\bproven\s+track\s+record\b",
    r"\bwelcome\s+the\s+opportunity\b",
    r"\bexpression\s+of\s+my\s+interest\b",
    r"\bwould\s+love\s+to\s+(?:hear\s+more|learn\s+more|chat|connect)\b(?!\s+about\s+(?:how|why|what))",
)
CANNED_ADVICE = (
    "Write it for them alone: use their name, drop the stock phrases, and say why you, "
    "why them, why now."
)


def form_letter(d: Draft) -> list[Signal]:
    placeholder = PLACEHOLDERS[0].search(d.low) or PLACEHOLDERS[1].search(d.low)
    matches = [
        ("a template's placeholder left in", 0.35, placeholder),
        ("greets nobody by name", 0.12, NAMELESS_GREETING.search(d.low)),
        *(("stock phrase", 0.14, m) for m in STOCK.finditer(d.low)),
    ]
    return [
        Signal(name, CANNED_MESSAGE, weight, evidence(d.text, m.start(), m.end()), CANNED_ADVICE)
        for name, weight, m in matches
        if m is not None
    ]


# --- research --------------------------------------------------------------------------

STUDIED = compile_all(
    rf"(?:{lx.STUDY})\s+(?:\w+\s+){{0,4}}?(?:your|you)\b[^.?!\n]{{0,40}}?(?:{lx.ARTEFACT})",
    rf"\byour\s+(?:\w+[\s-]+){{0,3}}?(?:{lx.ARTEFACT})",
    r"\bcongrat(?:s|ulations)\s+(?:on|to)\b",
    r"\bi\s+know\s+(?:that\s+)?(?:you|your)\s+(?:\w+\s+){0,2}(?:have|led|built|spent|mentored|"
    r"ran|wrote|founded|moved)\b",
)
# Read about something named or counted: searched in the message itself, for its capitals.
# Read about something named or counted: "I read that Paystack's team grew from 10 to 80".
STUDIED_ABOUT = re.compile(rf"(?:{lx.STUDY})\s+(?:\w+\s+){{0,3}}?(?:about|that|how)\s")
NAMED = re.compile(r"[^.?!\n]{0,60}?(?:\d|\b[A-Z][a-z]+\b)")  # in the message, for capitals
GENERIC_YOU = re.compile(lx.GENERIC_YOU)
SHORT_WORDS = 30
SELF = frozenset({"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"})
YOU = frozenset({"you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll"})
NO_RESEARCH_ADVICE = (
    "Show you know who they are and what they do: name their work, a talk, a post or a "
    "project, and say why it matters to you."
)


def research(d: Draft) -> list[Signal]:
    found: list[Signal] = []
    for s in d.sentences:
        m = STUDIED.search(s.text)
        if m is not None:
            span = (m.start(), m.end())
        elif (about := STUDIED_ABOUT.search(s.text)) and (
            named := NAMED.match(d.original(s), about.end())
        ):
            span = (about.start(), named.end())
        else:
            continue
        if GENERIC_YOU.search(s.text, *span):
            continue
        found.append(
            Signal("shows research", None, 0.2 if not found else 0.1, d.quote_span(s, *span))
        )
        if len(found) == 2:
            break
    if found:
        return found
    # No sign of research: the evidence is the sentence that talks to them least specifically.
    generic = next(((s, m) for s in d.sentences if (m := GENERIC_YOU.search(s.text))), None)
    if generic is not None:
        s, m = generic
        return [Signal("no sign of research", NO_RESEARCH, 0.25, d.quote(s, m), NO_RESEARCH_ADVICE)]
    # A short message has nothing else to stand on.
    weight = 0.25 if len(d.words) < SHORT_WORDS else 0.2
    body = [s for s in d.sentences if not NAMELESS_GREETING.match(s.text) and len(s.text) > 12]
    anchor = next((s for s in body if YOU.intersection(s.words)), body[0] if body else None)
    if anchor is None:
        return [
            Signal(
                "no sign of research",
                NO_RESEARCH,
                weight,
                d.quote(Sentence(0, len(d.text), d.text)),
                NO_RESEARCH_ADVICE,
            )
        ]
    return [Signal("no sign of research", NO_RESEARCH, weight, d.quote(anchor), NO_RESEARCH_ADVICE)]


def self_focus(d: Draft) -> list[Signal]:
    mine = sum(1 for w in d.words if w in SELF)
    yours = sum(1 for w in d.words if w in YOU)
    if mine < 5 or mine < 3 * (yours + 1):
        return []
    worst = max(d.sentences, key=lambda s: sum(1 for w in s.words if w in SELF))
    return [
        Signal(
            "all about the sender",
            NO_RESEARCH,
            0.15,
            d.quote(worst),
            "Talk about them more than about yourself: one line on you, the rest on why them.",
        )
    ]


def nothing_for_them(d: Draft, found: list[Signal]) -> list[Signal]:
    """A message with no research, no specific ask for advice and no offer could have
    been sent to anyone."""
    if any(s.reason in (TRANSACTIONAL_ASK, MISUSED_CONTACT) for s in found):
        return []  # it has a purpose, the sender's: the ask's findings say what is wrong
    if any(s.reason is None and s.topic != VAGUE and s.name not in MINOR for s in found):
        return []
    body = next((s for s in d.sentences if len(s.words) > 3), None)
    quote = d.quote(body) if body is not None else d.quote(Sentence(0, len(d.text), d.text))
    return [
        Signal(
            "could have been sent to anyone",
            CANNED_MESSAGE,
            0.15,
            quote,
            "Give them a reason to answer: a specific question about their work, or "
            "something useful you can offer.",
        )
    ]
