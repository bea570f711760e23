"""The export file: JSON lines. A header, one line per stored event in log order, and a
trailer that counts them (a file cut short has none, so it is refused).

An event line keeps what was stored exactly: the log position, the aggregate id, the
version, the topic and the stored state (base64; compressed or encrypted if the source
was). For people and other tools it also shows the event id, type, time, actor and chain
hash, decoded from that state; an import reads only the stored fields."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification, StoredEvent

from domain.audit import decode_as_stored, event_type_name
from domain.chain import event_id

FORMAT = "introductions-export"
FORMAT_VERSION = 1


class BadExportError(ValueError):
    """The file is not a complete introductions export; says which line and why."""


def header(application: str, last_position: int) -> str:
    return _dump(
        {
            "format": FORMAT,
            "formatVersion": FORMAT_VERSION,
            "application": application,
            "lastPosition": last_position,
            "exportedAt": datetime.now(UTC).isoformat(),
        }
    )


def trailer(events: int, last_position: int, keys: dict[str, str] | None = None) -> str:
    """The end line; with the keys of personal data, sealed (transfer.keys)."""
    line: dict[str, Any] = {"end": True, "events": events, "lastPosition": last_position}
    if keys is not None:
        line["keys"] = keys
    return _dump(line)


def event_line(notification: Notification, mapper: Mapper[Any]) -> str:
    aggregate_id = UUID(str(notification.originator_id))
    state = decode_as_stored(mapper, notification.state)
    return _dump(
        {
            "position": notification.id,
            "aggregateId": str(aggregate_id),
            "version": notification.originator_version,
            "topic": notification.topic,
            "state": base64.b64encode(notification.state).decode("ascii"),
            "eventId": str(event_id(aggregate_id, notification.originator_version)),
            "type": event_type_name(notification.topic),
            "occurredAt": _iso(state.get("timestamp")),
            "actorId": state.get("actor_id"),
            "chainHash": state.get("chain_hash"),
        }
    )


@dataclass(frozen=True)
class Positioned:
    position: int
    event: StoredEvent


def parse_header(number: int, text: str) -> dict[str, Any]:
    found = _load(number, text)
    if found.get("format") != FORMAT:
        msg = f"line {number}: not an introductions export (no {FORMAT!r} header)"
        raise BadExportError(msg)
    if found.get("formatVersion") != FORMAT_VERSION:
        msg = (
            f"line {number}: export format version {found.get('formatVersion')!r}; "
            f"this program reads version {FORMAT_VERSION}"
        )
        raise BadExportError(msg)
    return found


def parse_line(number: int, text: str) -> Positioned | dict[str, Any]:
    """An event, or the trailer (a dict with "end")."""
    found = _load(number, text)
    if found.get("end") is True:
        return found
    try:
        position = found["position"]
        version = found["version"]
        if not isinstance(position, int) or not isinstance(version, int):
            raise TypeError("position and version must be integers")
        if not isinstance(found["topic"], str) or not found["topic"]:
            raise TypeError("topic must be a non-empty string")
        event = StoredEvent(
            originator_id=UUID(found["aggregateId"]),
            originator_version=version,
            topic=found["topic"],
            state=base64.b64decode(found["state"], validate=True),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as e:
        msg = f"line {number}: not an event line ({type(e).__name__}: {e})"
        raise BadExportError(msg) from None
    return Positioned(position, event)


def _load(number: int, text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError as e:
        msg = f"line {number}: not JSON ({e})"
        raise BadExportError(msg) from None
    if not isinstance(found, dict):
        msg = f"line {number}: not a JSON object"
        raise BadExportError(msg)
    return found


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
