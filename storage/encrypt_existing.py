"""`introductions encrypt-existing`: brings events stored before sealing (plain personal
fields) under keys, for a database written by an earlier version.

Run it with the service stopped. For each aggregate with a plain personal field, in one
transaction: its key is made (held as domain/personal.py says; none for a holder already
forgotten, whose text is then erased), each plain field is sealed, and every chain hash
of the aggregate from the first changed event on is computed again, since a hash covers
the stored form. Its snapshots, which hold the plain state, are deleted. The chains then
verify; a checkpoint taken before no longer does, so take a new one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.utils import resolve_topic

from domain.application import IntroductionsApp
from domain.audit import decode_as_stored, event_type_name, log_notifications
from domain.chain import GENESIS, chain_digest, event_data
from domain.personal import Sealed
from storage.personal_keys import AesGcmKeyring


@dataclass
class Encrypted:
    aggregates: int = 0
    events: int = 0
    fields: int = 0


def encrypt_existing(app: IntroductionsApp) -> Encrypted:
    done = Encrypted()
    for aggregate_id in sorted(_with_plain_fields(app)):
        events, fields = _seal_aggregate(app, aggregate_id)
        done.aggregates, done.events, done.fields = (
            done.aggregates + 1,
            done.events + events,
            done.fields + fields,
        )
    return done


def _plain_fields(topic: str, state: dict[str, Any]) -> list[str]:
    try:
        names = getattr(resolve_topic(topic), "personal_fields", ())
    except Exception:  # an event class this version no longer has: nothing to seal
        return []
    return [n for n in names if state.get(n) is not None and not isinstance(state[n], Sealed)]


def _with_plain_fields(app: IntroductionsApp) -> set[UUID]:
    found: set[UUID] = set()
    for batch in log_notifications(app, stop=app.recorder.max_notification_id()):
        for n in batch:
            if _plain_fields(n.topic, decode_as_stored(app.mapper, n.state)):
                found.add(UUID(str(n.originator_id)))
    return found


def _seal_aggregate(app: IntroductionsApp, aggregate_id: UUID) -> tuple[int, int]:
    recorder: Any = app.recorder
    tables = recorder.key_tables
    key_id = str(aggregate_id)
    stored_events = list(recorder.select_events(aggregate_id))
    first = decode_as_stored(app.mapper, stored_events[0].state)
    holder_of = getattr(resolve_topic(stored_events[0].topic), "key_holders", None)
    holders = holder_of(key_id, first) if holder_of else [key_id]
    secret = AESGCM.generate_key(bit_length=256)
    # Sealed with this key, which the transaction below stores unless a holder is forgotten.
    keyring = AesGcmKeyring(lambda _key_id: secret)
    is_sqlite = tables.m == "?"
    stored_id: Any = aggregate_id.hex if is_sqlite else aggregate_id
    head, events, fields, rows = GENESIS, 0, 0, []
    for stored in stored_events:
        state = decode_as_stored(app.mapper, stored.state)
        plain = _plain_fields(stored.topic, state)
        for name in plain:
            state[name] = keyring.seal(key_id, state[name])
        if plain or events:  # a changed event changes every hash after it
            state["chain_hash"] = chain_digest(
                head,
                key_id,
                event_type_name(stored.topic),
                stored.originator_version,
                state["timestamp"],
                state["actor_id"],
                event_data(state),
            )
            rows.append((_stored_bytes(app, state), stored.originator_version))
            events, fields = events + 1, fields + len(plain)
        head = state["chain_hash"]
    key_sql, holder_sql = tables.insert_key(len(holders))
    m, s = tables.m, tables.s
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(key_sql, (key_id, secret, *holders))
        for person in holders:
            cursor.execute(holder_sql, (person, key_id))
        for state_bytes, version in rows:
            cursor.execute(
                f"UPDATE {s}{recorder.events_table_name} SET state = {m} "  # noqa: S608
                f"WHERE originator_id = {m} AND originator_version = {m}",
                (state_bytes, stored_id, version),
            )
        if app.snapshots is not None:
            snapshots = app.snapshots.recorder.events_table_name  # type: ignore[attr-defined]
            cursor.execute(
                f"DELETE FROM {s}{snapshots} WHERE originator_id = {m}",  # noqa: S608
                (stored_id,),
            )
    return events, fields


def _stored_bytes(app: IntroductionsApp, state: dict[str, Any]) -> bytes:
    """The state as the mapper stores it: encoded, then compressed and encrypted if set."""
    mapper = app.mapper
    stored = mapper.transcoder.encode(state)
    if mapper.compressor is not None:
        stored = mapper.compressor.compress(stored)
    if mapper.cipher is not None:
        stored = mapper.cipher.encrypt(stored)
    return stored
