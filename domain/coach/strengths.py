"""What a first message does well: thanks the introducer, asks for advice on something
specific, offers something of value, makes it easy to say yes."""

from __future__ import annotations

import re

from domain.coach import lexicon as lx
from domain.coach.signals import (
    Draft,
    Signal,
)
from domain.coach.text import Sentence, compile_all, lowered

THANKS = re.compile(lx.THANKS)
INTRODUCING = re.compile(lx.INTRODUCING)
ADVICE_ASK = compile_all(
    r"\b(?:advice|advise|perspective|insights?|guidance|tips|gut\s+check)\b",
    r"\byour\s+(?:view|take|thoughts|opinion)\b",
    r"\bwhat\s+(?:you(?:'|’)?d|you\s+would|would\s+you)\s+(?:do|recommend|suggest|focus|tackle|"
    r"change)\b",
    r"\b(?:how|what|why|which|whether)\s+(?:did|do|would|have)\s+you\b",
    r"\b(?:could|may|might|can)\s+i\s+ask\b",
    r"\blearn\s+(?:from|how|what|why)\b",
    r"\bcurious\s+(?:whether|how|what|if|about|why)\b",
    r"\bwhat\s+you\s+(?:wish|learned|learnt|measured)\b",
    r"\bhow\s+you(?:'|’)?d?\s+\w+",
)
OFFER = compile_all(
    r"\b(?:happy|glad|delighted|keen|willing|able)\s+to\s+(?:\w+\s+)?(?:share|send|help|introduce|"
    r"return|give|offer|test|pass|add|contribute|host|invite)\b",
    r"\bi\s+(?:can|could|might)\s+(?:\w+\s+)?(?:share|send|help|introduce|offer|give|contribute|"
    r"test|invite)\b",
    r"\bin\s+return\b",
    r"\breturn\s+the\s+favou?r\b",
    r"\b(?:if|in\s+case)\s+(?:it|that|this|they)(?:(?:'|’)s|\s+is|\s+would\s+be|\s+could\s+be|"
    r"\s+might\s+be|\s+are)?\s+(?:\w+\s+)?(?:useful|helpful|of\s+use|any\s+use|valuable|help)\b",
    r"\bwould\s+(?:it|that)\s+(?:be\s+)?(?:useful|helpful|help)\b",
    r"\bmight\s+(?:be\s+able\s+to\s+)?help\b",
    r"\bwould\s+you\s+like\s+me\s+to\b",
    r"\b(?:love|like|glad|happy)\s+to\s+(?:invite|host|feature)\s+you\b",
    r"\b(?:could|would)\s+(?:share|send)\s+(?:\w+\s+){0,3}with\s+your\b",
)
# "Happy to send my CV" offers the sender, not something of use to them.
OWN_WARES = re.compile(
    r"\W*(?:\w+\s+){0,2}?(?:my|our|the)\s+(?:\w+\s+)?(?:cv|resume|résumé|portfolio|deck|pitch|"
    r"rates?|packages?|pricing|proposal|references|linkedin|application)\b"
)
EASY = compile_all(
    r"\bno\s+(?:pressure|rush|obligation)\b",
    r"\bwhenever\s+(?:you|it)\b",
    r"\bif\s+you\s+have\s+(?:time|a\s+moment|a\s+few\s+minutes)\b",
    r"\b(?:\d+|ten|fifteen|twenty|thirty)[\s-]+min(?:ute)?s?\b",
    r"\beither\s+way\b",
)


def thanks_introducer(d: Draft, introducer: str | None = None) -> list[Signal]:
    name = re.compile(rf"\b{re.escape(lowered(introducer))}\b") if introducer else None
    for s in d.sentences:
        m = THANKS.search(s.text)
        if m is None:
            continue
        if INTRODUCING.search(s.text) or (name is not None and name.search(s.text)):
            return [Signal("thanks the introducer", None, 0.12, d.quote(s))]
    return []


SPECIFIC_WORDS = 8  # an ask for advice this long says about what; "Any advice?" does not
# What makes an ask for advice or an offer specific: what it is about comes next.
ON_WHAT = re.compile(
    r"^\W*(?:\w+\W+){0,3}?(?:on|about|for|regarding|with|how|what|whether|which|why|when|"
    r"where|if)\b"
)
OPEN_ENDED = re.compile(r"^\W*(?:you|with\s+anything|in\s+any\s+way)?\W*$")
ADVICE_NOUN = re.compile(lx.ADVICE_NOUN)
GENERIC_YOU = re.compile(lx.GENERIC_YOU)
VAGUE, SPECIFIC = "vague", "specific"
GENERIC_REACH = 40


def _specific(name: str, s: Sentence, m: re.Match[str]) -> bool:
    after = s.text[m.end() :]
    if name == "asks for advice":
        if len(s.words) < SPECIFIC_WORDS:
            return False
        if GENERIC_YOU.search(s.text, m.start(), m.end() + GENERIC_REACH):
            return False  # "curious about your career path": what about it?
        if ADVICE_NOUN.fullmatch(m.group(0).split()[-1]):
            return bool(ON_WHAT.search(after))
    if name == "offers something of value" and m.group(0).lower().endswith("help"):
        return not OPEN_ENDED.match(after)
    return True


def strengths(d: Draft) -> list[Signal]:
    found = []
    for name, pattern, weight in (
        ("asks for advice", ADVICE_ASK, 0.15),
        ("offers something of value", OFFER, 0.18),
        ("makes it easy to say yes", EASY, 0.05),
    ):
        best: Signal | None = None
        if not pattern.search(d.low):
            continue
        for s in d.sentences:
            for m in pattern.finditer(s.text):
                if pattern is OFFER and OWN_WARES.match(s.text, m.end()):
                    continue
                if _specific(name, s, m):
                    best = Signal(name, None, weight, d.quote(s, m), topic=SPECIFIC)
                    break
                if best is None:
                    best = Signal(f"{name}, vaguely", None, weight / 3, d.quote(s, m), topic=VAGUE)
            if best is not None and best.topic == SPECIFIC:
                break
        if best is not None:
            found.append(best)
    return found


MINOR = frozenset({"thanks the introducer", "makes it easy to say yes"})
