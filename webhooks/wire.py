"""The wire format of docs/domain.md (Standard Webhooks): the body of an event's delivery and
the headers of one attempt."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

from domain.chain import event_data, event_id
from domain.client_data import client_data
from domain.delivered import is_person_event

USER_AGENT = "introductions-webhooks/1"


def event_body(domain_event: Any) -> str:
    """The body, built once per event so that every attempt sends the same bytes."""
    fields = vars(domain_event)
    about = "personId" if is_person_event(domain_event) else "introductionId"
    data = {
        about: str(domain_event.originator_id),
        "version": domain_event.originator_version,
        "actorId": fields.get("actor_id"),
    }
    data.update(client_data(event_data(fields)))
    body = {
        "type": type(domain_event).__name__,
        "timestamp": domain_event.timestamp.isoformat(),
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def webhook_id(domain_event: Any) -> str:
    return str(event_id(domain_event.originator_id, domain_event.originator_version))


def signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """`v1,` and the base64 HMAC-SHA256 of `msg_id.timestamp.body` under the secret."""
    return Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp, UTC), body)


def attempt_headers(msg_id: str, timestamp: int, body: str, secrets: list[str]) -> dict[str, str]:
    """During a rotation's overlap, one signature per secret, space-separated."""
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets),
    }
