"""Delivery bodies after a PersonForgotten: each stored body of the person's own events
and of the introductions they were party to has its personal fields replaced by null
and `erased: true`, as the history shows them; a body not yet delivered is then sent
so. The bodies are found by the ids they carry, with no index: forgetting is rare."""

from __future__ import annotations

import json
from typing import Any

from domain.client_data import camel
from domain.delivered import DELIVERED_EVENTS
from webhooks.store import Transaction

PERSONAL = {
    e.__name__: tuple(camel(f) for f in getattr(e, "personal_fields", ())) for e in DELIVERED_EVENTS
}


def erase_bodies_about(tx: Transaction, person_id: str) -> int:
    """Rewrites the bodies that hold the person's data; returns how many."""
    proposed = tx.cursor.all(
        "SELECT body FROM webhook_deliveries WHERE event_type = 'IntroductionProposed' "
        "AND body LIKE ?",
        (f"%{person_id}%",),
    )
    ids = {person_id} | {json.loads(body)["data"]["introductionId"] for (body,) in proposed}
    rewritten = 0
    for about in sorted(ids):
        rows = tx.cursor.all(
            "SELECT id, body FROM webhook_deliveries WHERE body LIKE ?", (f"%{about}%",)
        )
        for delivery_id, body in rows:
            erased = _erased(body)
            if erased != body:
                tx.cursor.execute(
                    "UPDATE webhook_deliveries SET body = ? WHERE id = ?", (erased, delivery_id)
                )
                rewritten += 1
    return rewritten


def _erased(body: str) -> str:
    parsed: dict[str, Any] = json.loads(body)
    data = parsed.get("data", {})
    names = [n for n in PERSONAL.get(parsed.get("type", ""), ()) if data.get(n) is not None]
    if not names:
        return body
    for name in names:
        data[name] = None
    data["erased"] = True
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)
