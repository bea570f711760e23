"""Turning history entries, verify findings and replay steps into text for people and
machines."""

from __future__ import annotations

import unicodedata
from typing import Any

from domain.application import HistoryEntry
from domain.audit import Finding, VerifyReport
from domain.bounds import BIDI_CONTROLS
from domain.chain import canonical_json
from domain.client_data import client_data
from domain.replay import ReplayStep


def visible(text: str) -> str:
    """Text for a terminal: control characters (C0, DEL, C1), line separators and
    bidirectional controls as \\uXXXX, so that stored text cannot drive the terminal or
    reorder the line. Inside a JSON string the escapes stand for the same characters."""
    return "".join(
        f"\\u{ord(c):04x}"
        if c in BIDI_CONTROLS or c in "\u2028\u2029" or unicodedata.category(c) == "Cc"
        else c
        for c in text
    )


def entry_as_dict(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "introductionId": str(entry.introduction_id),
        "version": entry.version,
        "type": entry.type,
        "occurredAt": entry.occurred_at.isoformat(),
        "actorId": entry.actor_id,
        "data": client_data(entry.data),
        "hash": entry.chain_hash,
    }


# --- audit: verify and replay ------------------------------------------------------

# Field names of the aggregate as a person would say them.
FIELD_LABELS = {"status_value": "status"}


def finding_text(finding: Finding) -> str:
    if finding.aggregate_id is None:
        return f"Checkpoint does not hold: {finding.problem}."
    version = f", version {finding.version}" if finding.version is not None else ""
    where = f" at log position {finding.position}" if finding.position is not None else ""
    return f"Tampered: aggregate {finding.aggregate_id}{version}{where}: {finding.problem}."


def verify_summary(report: VerifyReport, seconds: float, *, snapshots: bool = False) -> str:
    rate = f", {report.events / seconds:,.0f} events/s" if seconds > 0 and report.events else ""
    also = " and every snapshot matches its events" if snapshots else ""
    return (
        f"Verified {_count(report.aggregates, 'aggregate')} and "
        f"{_count(report.events, 'event')} "
        f"in {seconds:.2f}s{rate}: every chain holds{also}."
    )


def change_lines(step: ReplayStep, names: dict[str, str]) -> list[str]:
    """One line per field the event changed: "status: REPLIED -> BURNED"."""
    lines = []
    for field, (before, after) in step.changes.items():
        label = FIELD_LABELS.get(field, field)
        if step.entry.version == 1:
            lines.append(f"{label}: {human_value(after, names)}")
        else:
            lines.append(f"{label}: {human_value(before, names)} -> {human_value(after, names)}")
    return lines


def human_value(value: Any, names: dict[str, str]) -> str:
    """Canonical JSON, with person ids replaced by the person's name (the ids are in
    `history`)."""
    text = canonical_json(value)
    for person_id, name in names.items():
        text = text.replace(person_id, name)
    return text


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
