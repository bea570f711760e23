"""Snapshots are not chained: they are a cache of state that time travel starts from.
A changed snapshot would change what `introduction_at` answers without breaking any
chain, so this check rebuilds each snapshotted state from the (verified) events and
compares the two. It replays every snapshotted aggregate, so it is opt-in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from domain.audit import Finding, Progress
from domain.chain import canonical_json

# Not state: the events waiting to be saved (always none when reconstructed).
TRANSIENT_FIELDS = frozenset({"_pending_events"})


def verify_snapshots(
    app: Application[Any],
    aggregate_ids: Iterable[str],
    *,
    on_progress: Progress | None = None,
) -> list[Finding]:
    """One finding per aggregate whose first wrong snapshot differs from its events."""
    if app.snapshots is None:
        return []
    findings = []
    for aggregate_id in aggregate_ids:
        finding = _check_aggregate(app, UUID(aggregate_id))
        if finding is not None:
            findings.append(finding)
        if on_progress is not None:
            on_progress(1)
    return findings


def _check_aggregate(app: Application[Any], aggregate_id: UUID) -> Finding | None:
    assert app.snapshots is not None
    key = str(aggregate_id)
    try:
        snapshots = {s.originator_version: s for s in app.snapshots.get(aggregate_id)}
    except Exception as e:  # an undecodable snapshot is a finding, not a crash
        return Finding(key, None, None, f"a snapshot cannot be decoded ({e})")
    if not snapshots:
        return None
    aggregate: Any = None
    for event in app.events.get(aggregate_id, lte=max(snapshots)):
        aggregate = event.mutate(aggregate)  # type: ignore[attr-defined]
        snapshot = snapshots.pop(event.originator_version, None)
        if snapshot is None:
            continue
        try:
            from_snapshot = snapshot.mutate(None)  # type: ignore[attr-defined]
        except Exception as e:
            return Finding(key, snapshot.originator_version, None, f"its snapshot fails ({e})")
        if _state(from_snapshot) != _state(aggregate):
            return Finding(
                key,
                snapshot.originator_version,
                None,
                "its snapshot differs from the state its events give "
                "(time travel from it would be wrong: delete the snapshot to rebuild it)",
            )
    if snapshots:
        version = min(snapshots)
        return Finding(key, version, None, "a snapshot exists for a version with no event")
    return None


def _state(aggregate: Any) -> str:
    return canonical_json({k: v for k, v in vars(aggregate).items() if k not in TRANSIENT_FIELDS})
