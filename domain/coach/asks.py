"""Detectors of asks for the sender's own gain: a job, money or business, a sale, being
passed on to others, and pressure to answer. Each looks for a request frame ("could
you", "please", "I need") and, within the same sentence, what it asks for."""

from __future__ import annotations

import re

from domain.coach import lexicon as lx
from domain.coach.signals import (
    JOB,
    MISUSED_CONTACT,
    MONEY,
    REFERRAL,
    SALES,
    TRANSACTIONAL_ASK,
    Draft,
    Rule,
    Signal,
    first_in_sentences,
)
from domain.coach.strengths import ADVICE_ASK
from domain.coach.text import Sentence, compile_all

REQUEST = re.compile(lx.REQUEST)
JOB_WORD = re.compile(lx.JOB)
MONEY_WORD = re.compile(lx.MONEY)
ADVICE_WORD = re.compile(lx.ADVICE)
OWNED = re.compile(rf"(?:{lx.OTHERS_OWN})\s+(?:\w+[\s-]+){{0,2}}$")
NEGATED = re.compile(rf"(?:{lx.NEGATION})\s+(?:\w+\s+){{0,2}}$")
ABOUT_DOING = re.compile(r"\b(?:how|what|why|whether|when|where|\w{3,}ing)\b")
# A bare frame opening a sentence: "Need a referral", "Looking for a role".
REQUEST_START = re.compile(r"^\s*(?:need|want|looking\s+for|seeking|searching\s+for)\b")
RESUME_PUSH = re.compile(
    r"\b(?:attach(?:ed|ing)?|enclos(?:ed|ing)|review|forward|below|pasted|find|send|share)\b"
    r"[^.?!\n]{0,30}?"
    r"\b(?:cv|resume|résumé|application)\b|\b(?:cv|resume|résumé)\b[^.?!\n]{0,20}?"
    r"\b(?:attached|enclosed|below)\b"
    r"|\blink\s+to\s+my\s+(?:\w+\s+)?(?:portfolio|cv|resume|profile|work)\b"
)
ASK_REACH = 70  # characters after a request frame in which its object is looked for
# "if you hear of any openings": an ask, but a conditional one.
CONDITIONAL = re.compile(
    r"\bif\s+(?:you\s+)?(?:ever\s+)?(?:hear|know|come\s+across|see|learn|find|happen)\b"
    r"[^.?!\n]{0,50}$"
)
KEEP_IN_MIND_ADVICE = (
    "Drop the open-ended ask; ask one specific question about their experience instead."
)
HIRING_QUESTION = re.compile(
    r"\b(?:are|is)\s+(?:\w+\s+){0,3}hiring\b|\b(?:what|which|any)\s+(?:\w+\s+){0,2}"
    r"(?:jobs?|positions?|openings?|roles?|vacancies)\b(?!\s+(?:did|would|have)\s+you)"
)
FOR_ME = re.compile(
    r"\b(?:what|anything|something|whatever|any)\b[^.?!\n]{0,40}?\bfor\s+me\b"
    r"|\bwhatever\s+you\s+(?:have|got)\b|\bwhat(?:'|’)?s\s+in\s+it\s+for\s+me\b"
    r"|\bwhat\s+(?:can|could|would)\s+you\s+offer\b"
    r"|\bwhat\s+(?:do\s+you\s+have|have\s+you\s+got)\s+(?:available|open|going)\b"
)
VAGUE_ASK = compile_all(
    r"\b(?:let\s+me\s+know|lmk|tell\s+me|keep\s+me\s+posted)\s+if\s+(?:\w+\s+){0,5}?"
    r"(?:anything|something|any)\b",
    r"\b(?:keep|bear)\s+me\s+in\s+mind\b",
    r"\bif\s+anything\s+(?:comes\s+up|opens\s+up)\b",
    r"\bkeep\s+(?:an\s+eye|your\s+(?:eyes|ears))\s+(?:out|open)\b",
    r"\bthink\s+of\s+me\b",
    r"\bif\s+you\s+(?:ever\s+)?need\s+(?:a|an|one|someone)\b",
    r"\bany\s+way\s+(?:i|we)\s+(?:could|can|might)\s+work\s+(?:together|with\s+you)\b",
)
SEEKING = compile_all(
    r"\b(?:i(?:'|’)?m|i\s+am)\s+(?:currently\s+|now\s+)?(?:unemployed|job[\s-]?(?:hunting|seeking)"
    r"|between\s+jobs|out\s+of\s+work|on\s+the\s+job\s+market)\b",
    r"\b(?:seeking|looking\s+for|searching\s+for|in\s+the\s+market\s+for)\s+(?:a\s+|new\s+|some\s+)*"
    r"(?:work|employment|opportunities|job|role|position)\b",
    r"\bopen\s+to\s+(?:new\s+)?(?:opportunities|roles|offers)\b",
    r"\b(?:i(?:'|’)?m|i\s+am|we(?:'|’)?re|we\s+are)\s+(?:currently\s+|now\s+)?(?:raising|fundraising)\b",
    r"\bavailable\s+(?:immediately|to\s+start|right\s+away|now)\b",
    r"\b(?:i\s+can|ready\s+to)\s+start\b",
)


def _ask_object(sentence: Sentence, after: int) -> tuple[re.Match[str], str] | None:
    """The first job or money word within reach after a request frame, unless advice
    comes first (an ask for advice about a job) or someone else owns it ("your role")."""
    reach = sentence.text[after : after + ASK_REACH]
    for pattern, topic in ((JOB_WORD, JOB), (MONEY_WORD, MONEY)):
        m = pattern.search(reach)
        if m is None:
            continue
        before = reach[: m.start()]
        if topic == JOB and OWNED.search(before):
            continue  # "your role" is theirs; "your clients" is what the sender asks for
        advice = ADVICE_WORD.search(before)
        # "advice on how to find a job" asks for advice; "advise on vacancies" for a job.
        if advice is not None and (
            advice.group(0).lower().startswith(("how", "what", "why"))
            or ABOUT_DOING.search(before[advice.end() :])
        ):
            continue
        return m, topic
    return None


# Every ask below names one of these; a sentence without any is not looked at further.
ASKED_FOR = compile_all(lx.JOB, lx.MONEY, r"\b(?:application|portfolio|profile)\b")


def self_asks(d: Draft) -> list[Signal]:
    found: list[Signal] = []
    for s in d.sentences:
        if not ASKED_FOR.search(s.text):
            continue
        hit: tuple[int, int, str] | None = None
        frames = [*REQUEST_START.finditer(s.text), *REQUEST.finditer(s.text)]
        for frame in frames:
            if NEGATED.search(s.text[: frame.start()]):
                continue
            obj = _ask_object(s, frame.end())
            if obj is not None:
                m, topic = obj
                hit = (frame.start(), frame.end() + m.end(), topic)
                break
        if hit is None and s.text.rstrip().endswith("?") and not ADVICE_ASK.search(s.text):
            # A question about a job that asks nothing about them: "When can we talk
            # about a position?"
            obj = _ask_object(s, 0)
            if obj is not None:
                hit = (obj[0].start(), obj[0].end(), obj[1])
        for pattern in (HIRING_QUESTION, RESUME_PUSH):
            q = pattern.search(s.text) if hit is None else None
            if q is not None and not NEGATED.search(s.text[: q.start()]):
                hit = (q.start(), q.end(), JOB)
        if hit is None:
            continue
        start, end, topic = hit
        if CONDITIONAL.search(s.text[:end]):
            found.append(
                Signal(
                    "asks to be kept in mind",
                    TRANSACTIONAL_ASK,
                    0.2,
                    d.quote_span(s, start, end),
                    KEEP_IN_MIND_ADVICE,
                    topic,
                )
            )
            continue
        found.append(
            Signal(
                "asks for a job" if topic == JOB else "asks for money or business",
                TRANSACTIONAL_ASK,
                0.45,
                d.quote_span(s, start, end),
                "Ask for their advice or perspective instead; a job or a deal can follow "
                "a relationship, not open one.",
                topic,
            )
        )
    return found[:2]


# A favour for the sender, whatever it is: "can you help me", "please get me".
FAVOUR = re.compile(
    r"\b(?:can|could|would|will|pls|please)\s+(?:you\s+|u\s+)?(?:\w+\s+)?"
    r"(?:help|get|give|find|send|hook|set)\s+me\b(?!\s+(?:understand|learn|know|think|see)\b)"
    r"|\bhelp\s+me\s+(?:to\s+)?(?:get|find|land|secure|with)\b"
    r"|^\s*(?:send|give|get|find|show|forward)\s+me\b"
    r"(?!\s+(?:a\s+|some\s+)?(?:times?|slots?|dates?|days?|your\s+(?:availability|calendar|thoughts)))"
)
FAVOUR_ASKED = Rule(
    "asks a favour for the sender",
    TRANSACTIONAL_ASK,
    0.3,
    FAVOUR,
    "Ask for their view on a specific question, not for them to do something for you.",
    unless_negated=NEGATED,
)
DEMAND = Rule(
    "asks what they have for the sender",
    TRANSACTIONAL_ASK,
    0.6,
    FOR_ME,
    "Say what you could bring them and what you hope to learn; never ask what they have for you.",
    JOB,
)
KEEP_IN_MIND = Rule(
    "asks to be kept in mind", TRANSACTIONAL_ASK, 0.2, VAGUE_ASK, KEEP_IN_MIND_ADVICE, JOB
)
JOB_SEARCH = Rule(
    "leads with the sender's job search",
    TRANSACTIONAL_ASK,
    0.15,
    SEEKING,
    "Lead with why them, not with your search; mention it later, if at all.",
    JOB,
    unless_negated=NEGATED,
)


def demands(d: Draft) -> list[Signal]:
    return first_in_sentences(d, DEMAND)


def vague_asks(d: Draft) -> list[Signal]:
    return (
        first_in_sentences(d, KEEP_IN_MIND)
        + first_in_sentences(d, JOB_SEARCH)
        + first_in_sentences(d, FAVOUR_ASKED)
    )


PITCH = compile_all(
    rf"(?:{lx.WARES})[^.?!\n]{{0,120}}?(?:{lx.SALE})",
    rf"(?:{lx.SALE})[^.?!\n]{{0,120}}?(?:{lx.WARES})",
    r"\b(?:sell|pitch)\s+(?:you|to\s+you)\b",
    r"\b(?:book|schedule|set\s+up|show\s+you)\s+(?:a\s+)?(?:quick\s+|short\s+|\d+[\s-]*min\w*\s+)?"
    r"demo\b",
    r"\b(?:my|our)\s+(?:\w+\s+)?(?:rates?|fees?|prices?)\s+(?:is|are|start)\b",
    r"\bwe\s+help\s+(?:\w+\s+){0,3}(?:like\s+yours|companies|businesses|teams|firms|brands)\b",
    r"\bwe\s+(?:sell|resell)\b",
    r"\b(?:through|at|see|share|about)\s+(?:our|my)\s+(?:pricing|prices|rates|packages|plans|"
    r"price\s+list)\b",
    r"\b(?:companies|businesses|teams|firms)\s+like\s+yours\b",
    r"\bfree\s+(?:consultation|trial|audit|assessment|demo|quote)\b",
    r"\b(?:get|bring|give)\s+you\s+(?:\d+x|\d+%|more)\b",
    r"\breply\s+['\"“]?yes\b",
    r"\b(?:double|triple|increase|boost|grow|cut|save|reduce|lower)\s+your\s+(?:\w+\s+)?"
    r"(?:leads|revenue|sales|costs?|traffic|conversions?|profits?|roi|spend|bills?)\b",
    r"\b(?:send|give)\s+you\s+(?:a\s+|our\s+|my\s+)?(?:proposal|quote|pricing|price\s+list|"
    r"terms|rates|packages|brochure)\b",
    r"\bwe\s+can\s+(?:fill|cut|double|triple|save|grow|boost|increase|reduce|handle|build|"
    r"deliver)\b",
)
SELF_PITCH = compile_all(
    r"\btell\s+you\s+(?:all\s+|more\s+)?about\s+(?:it|my|our|what\s+(?:i|we))\b",
    r"\b(?:see|explore|find\s+out)\s+(?:if|whether)\s+there(?:'|’)?s\s+(?:a\s+)?(?:\w+\s+)?fit\b",
)


PITCH_ADVICE = (
    "Do not sell in a first message; learn what they need first, and offer something "
    "useful with no price on it."
)


WARES = re.compile(lx.WARES)
SALE = re.compile(lx.SALE)


def pitches(d: Draft) -> list[Signal]:
    for name, pattern, weight in (
        ("pitches a sale", PITCH, 0.45),
        ("pitches the sender's own venture", SELF_PITCH, 0.25),
    ):
        for s in d.sentences:
            m = pattern.search(s.text)
            if m is not None:
                return [Signal(name, TRANSACTIONAL_ASK, weight, d.quote(s, m), PITCH_ADVICE, SALES)]
    if WARES.search(d.low):  # the wares in one sentence, the step of the sale in another
        for s in d.sentences:
            m = SALE.search(s.text)
            if m is not None:
                return [
                    Signal(
                        "pitches a sale",
                        TRANSACTIONAL_ASK,
                        0.45,
                        d.quote(s, m),
                        PITCH_ADVICE,
                        SALES,
                    )
                ]
    return []


PASS_ON = compile_all(
    r"\b(?:forward|pass|send|share|circulate)\s+(?:it|this|them|me|my\s+\w+)\b[^.?!\n]{0,40}?"
    r"\b(?:to|with|along|on)\b[^.?!\n]{0,30}?\b(?:hr|recruiters?|hiring|managers?|team|department|"
    r"network|contacts|colleagues|boss|anyone|someone|people|friends|cto|ceo|vp|head|director|"
    r"leadership|executives?|partners?|founders?)\b",
    r"\bintroduc(?:e|ing)\s+me\s+to\b",
    r"\b(?:send|give|share)\s+me\s+(?:\w+\s+){0,2}(?:names|contacts|emails|intros|introductions|"
    r"leads)\b",
    r"\bconnect\s+me\s+(?:with|to)\b",
    r"\bput\s+me\s+in\s+touch\b",
    r"\bput\s+in\s+a\s+good\s+word\b",
    r"\bput\s+me\s+forward\b",
    r"\b(?:recommend|vouch\s+for)\s+me\b",
    r"\brefer\s+me\b",
    r"\bget\s+me\s+(?:an?\s+)?(?:interview|meeting|intro\w*)\b",
    r"\b(?:names?|contacts?|contact\s+details|emails?|details|numbers?)\s+(?:of|for)\s+"
    r"(?:the\s+|your\s+)?(?:recruiters?|people|hiring|managers?|investors|decision|head|vp|"
    r"director|cto|ceo|founders?|hr)\b",
)


PASSED_ON = Rule(
    "asks to be passed on to others",
    MISUSED_CONTACT,
    0.35,
    PASS_ON,
    "Do not ask a new contact to spend their own network on you; earn their trust first, "
    "and let them offer.",
    REFERRAL,
    unless_negated=NEGATED,
)


def passes_on(d: Draft) -> list[Signal]:
    return first_in_sentences(d, PASSED_ON)


PRESSURE = compile_all(
    r"\basap\b",
    r"\burgent(?:ly)?\b",
    r"\bas\s+soon\s+as\s+possible\b",
    r"\bat\s+the\s+earliest\b",
    r"\b(?:respond|reply|answer|get\s+back\s+to\s+me)\s+(?:soon|today|quickly|now|by)\b",
    r"\bby\s+(?:the\s+end\s+of|monday|tuesday|wednesday|thursday|friday|tomorrow|tonight)\b",
    r"\b(?:still\s+waiting|need\s+an\s+answer|haven(?:'|’)?t\s+(?:replied|responded|answered))\b",
    r"\bi\s+expect\b",
    r"\b(?:call|ring|phone|text)\s+me\s+(?:today|now|asap|back|tonight|tomorrow|immediately)\b",
    r"\bfast\b",
)


PRESSES = Rule(
    "presses for a quick answer",
    TRANSACTIONAL_ASK,
    0.2,
    PRESSURE,
    "Take the pressure off: they owe you nothing, so make it easy to say yes later.",
)


def pressure(d: Draft) -> list[Signal]:
    return first_in_sentences(d, PRESSES)
