"""Tamper evidence: every event carries a hash chaining it to the previous event of the
same aggregate. The hash is computed when the event is created, so it is stored with it
and recomputable from storage alone (see `chain_digest`)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.personal import Sealed, seal_fields

GENESIS = ""
# Fields the library or the chain itself adds to a stored event; everything else is data.
ENVELOPE_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "actor_id",
        "chain_hash",
        "class_version",
        "id",
    }
)
EVENT_ID_NAMESPACE = UUID("6f1d2c1e-4b8a-5d6e-9f70-8a9b0c1d2e3f")


def _canonical_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Sealed):  # the hash covers the sealed form, as stored
        return {"sealed": value.stored}
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    msg = f"cannot encode {type(value).__name__} in an event"
    raise TypeError(msg)


def canonical_json(value: Any) -> str:
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_canonical_default,
    )


def event_data(fields: dict[str, Any]) -> dict[str, Any]:
    """The event's own fields: what it says, without the envelope."""
    return {k: v for k, v in fields.items() if k not in ENVELOPE_FIELDS}


def chain_digest(
    previous: str,
    aggregate_id: UUID | str,
    event_type: str,
    version: int,
    timestamp: datetime,
    actor_id: str | None,
    data: dict[str, Any],
) -> str:
    payload = canonical_json(
        [previous, str(aggregate_id), event_type, version, timestamp, actor_id, data]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def event_id(aggregate_id: UUID | str, version: int) -> UUID:
    """Stable, unique id of an event: the same in history, subscriptions and webhooks."""
    return uuid5(EVENT_ID_NAMESPACE, f"{aggregate_id}/{version}")


class ChainedAggregate(Aggregate):
    """Base of every aggregate here: each event has an actor, a time and a chain hash."""

    chain_head: str = GENESIS

    class Event(Aggregate.Event):
        actor_id: str | None
        chain_hash: str

        def mutate(self, aggregate: Any) -> Any:
            aggregate = super().mutate(aggregate)
            aggregate.chain_head = self.chain_hash
            return aggregate

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create(cls, event_class: Any, **kwargs: Any) -> Any:
        aggregate_id = kwargs["id"]
        seal_fields(event_class, str(aggregate_id), kwargs, new=True)
        kwargs["chain_hash"] = _digest_for(
            GENESIS, aggregate_id, event_class, cls.INITIAL_VERSION, kwargs
        )
        return super()._create(event_class, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        seal_fields(event_class, str(self.id), kwargs, new=False)
        kwargs["chain_hash"] = _digest_for(
            self.chain_head, self.id, event_class, self.version + 1, kwargs
        )
        super().trigger_event(event_class, **kwargs)


def _digest_for(
    previous: str,
    aggregate_id: UUID | str,
    event_class: type,
    version: int,
    kwargs: dict[str, Any],
) -> str:
    return chain_digest(
        previous,
        aggregate_id,
        event_class.__name__,
        version,
        kwargs["timestamp"],
        kwargs["actor_id"],
        event_data(kwargs),
    )
