"""Turning history entries into JSON lines or rows for people and machines."""

from __future__ import annotations

import json
from typing import Any

from domain.application import HistoryEntry
from domain.chain import canonical_json


def entry_as_dict(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "introductionId": str(entry.introduction_id),
        "version": entry.version,
        "type": entry.type,
        "occurredAt": entry.occurred_at.isoformat(),
        "actorId": entry.actor_id,
        "data": json.loads(canonical_json(entry.data)),
        "hash": entry.chain_hash,
    }
