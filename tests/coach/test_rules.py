"""The reply coach's rules one at a time, its setting (guidelines, context), its purity
and its speed on the longest message allowed."""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import bounds
from domain.coach import Setting, Verdict, assess

COACH = Path(__file__).parents[2] / "domain" / "coach"
JOB_ASK = "Hi Olga, I'd love to join your team. Are there any openings for junior researchers?"
NO_JOBS = Setting(
    guidelines="Please ask Olga for advice on breaking into UX research, not for a job.",
    introducer_name="Jason",
    recipient_name="Olga",
)


def reasons(text: str, setting: Setting | None = None) -> set[str]:
    return {f.reason for f in assess(text, setting).findings}


def test_the_seed_story_message_is_a_likely_burn() -> None:
    text = "Dear John,\n\nI am interested in x because of y. Please tell me what you have for me."
    a = assess(text)
    assert a.verdict is Verdict.LIKELY_BURN
    assert a.findings[0].reason == "TRANSACTIONAL_ASK"
    assert a.findings[0].evidence == "what you have for me"


def test_guidelines_that_rule_out_a_job_make_a_job_ask_a_misuse() -> None:
    alone = assess(JOB_ASK)
    held = assess(JOB_ASK, NO_JOBS)
    assert "MISUSED_CONTACT" not in {f.reason for f in alone.findings}
    misuse = [f for f in held.findings if f.reason == "MISUSED_CONTACT"]
    assert misuse, held
    assert misuse[0].evidence in JOB_ASK
    assert "not for a job" in misuse[0].advice
    assert misuse[0].advice.startswith("Jason asked")
    assert held.risk > alone.risk
    assert held.verdict is Verdict.LIKELY_BURN


def test_guidelines_rule_out_only_what_they_name() -> None:
    pitch_rule = Setting(guidelines="Femi is happy to talk about hiring; please don't pitch.")
    assert "MISUSED_CONTACT" not in reasons(JOB_ASK, pitch_rule)
    pitch = "Hi Femi, our platform cuts cloud costs by 30%. Could I show you a quick demo?"
    assert "MISUSED_CONTACT" in reasons(pitch, pitch_rule)


def test_guidelines_that_ask_for_advice_flag_a_message_that_asks_none() -> None:
    text = "Hi Olga, nice to meet you. I have worked in design for ten years at two agencies."
    assert "OTHER" in reasons(text, NO_JOBS)
    asked = text + " Could I ask how you moved from design into UX research?"
    assert "OTHER" not in reasons(asked, NO_JOBS)


def test_an_ask_for_advice_about_a_job_is_not_a_job_ask() -> None:
    text = (
        "Thanks, Jason, for the introduction. Olga, I read your case study on the Helsinki "
        "transit app. Could I ask how you found your first UX research job? Happy to share "
        "my notes from 40 interviews with students."
    )
    a = assess(text)
    assert a.verdict is Verdict.GOOD
    assert "TRANSACTIONAL_ASK" not in {f.reason for f in a.findings}


def test_saying_no_to_a_job_ask_is_not_one() -> None:
    text = "I'm not looking for a job; I would value your advice on how you priced the launch."
    assert "TRANSACTIONAL_ASK" not in reasons(text)


def test_a_template_placeholder_and_stock_phrases_are_canned() -> None:
    a = assess("Dear [First Name], I hope this email finds you well. Let's connect!")
    assert {f.evidence for f in a.findings if f.reason == "CANNED_MESSAGE"} >= {
        "[First Name]",
        "hope this email finds you",
    }
    assert a.verdict is Verdict.NEEDS_WORK


def test_thanks_to_the_introducer_is_recognised_by_name() -> None:
    text = "Jason, you are very kind. Olga, I read your post on diary studies; how did you recruit?"
    strengths = " ".join(assess(text, NO_JOBS).strengths)
    assert "thanks the introducer" not in strengths  # "kind" alone is not thanks
    text = "Thank you, Jason! Olga, I read your post on diary studies; how did you recruit?"
    assert "thanks the introducer" in " ".join(assess(text, NO_JOBS).strengths)


def test_the_longest_message_allowed_is_assessed_quickly() -> None:
    sentence = "Please tell me what jobs you have for me because I really need one asap. "
    text = (sentence * (bounds.MESSAGE_MAX // len(sentence)))[: bounds.MESSAGE_MAX]
    unbroken = ("a" * 60 + " ") * (bounds.MESSAGE_MAX // 61)  # no sentence end at all
    for message in (text, unbroken):
        started = time.thread_time()
        a = assess(message)
        assert time.thread_time() - started < 0.5, "a rule backtracks on long input"
        assert all(f.evidence in message for f in a.findings)
    assert assess(text).verdict is Verdict.LIKELY_BURN


def test_empty_and_odd_text_do_not_crash() -> None:
    for text in ("", " ", "\n\n", "?!", "İstanbul’da ŞEKER 💡", "[", "a" * 500):
        a = assess(text)
        assert all(f.evidence in text for f in a.findings)


def test_the_coach_imports_only_the_standard_library() -> None:
    for path in COACH.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert (
                    name.startswith("domain.coach")
                    or top in sys.stdlib_module_names
                    or (top == "__future__")
                ), f"{path.name} imports {name}"


WORDS = st.sampled_from(
    (
        "Hi",
        "Dear",
        "John",
        "Jason",
        "thanks",
        "for",
        "the",
        "intro",
        "I",
        "read",
        "your",
        "talk",
        "on",
        "pricing",
        "could",
        "you",
        "hire",
        "me",
        "any",
        "openings",
        "please",
        "send",
        "my",
        "CV",
        "happy",
        "to",
        "share",
        "advice",
        "how",
        "did",
        "you",
        "[First",
        "Name]",
        "hope",
        "this",
        "email",
        "finds",
        "you",
        "well",
        "asap",
        "our",
        "product",
        "demo",
        "İ",
        "ß",
        "’",
        "💡",
        ".",
        "?",
        "!",
        "\n",
    )
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=60).map(" ".join) | st.text(max_size=300))
def test_any_text_gets_a_well_formed_answer(text: str) -> None:
    a = assess(text, NO_JOBS)
    assert 0.0 <= a.risk <= 1.0
    assert a.verdict in Verdict
    for finding in a.findings:
        assert finding.evidence in text
        assert finding.advice
