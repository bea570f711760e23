"""Follows the event log and turns each delivered event (domain/delivered.py) into one delivery per
matching endpoint. Endpoint events are followed from the same log, in the same order, so
an endpoint gets exactly the events recorded after its registration and while active."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from domain.delivered import DELIVERED_TOPICS
from domain.person import Person
from domain.webhook import WebhookEndpoint
from projections.subscription import POLL_INTERVAL, subscribe
from storage.bootstrap import open_application
from storage.database import Storage
from storage.personal_keys import empty_wal
from webhooks.erasure import erase_bodies_about
from webhooks.records import EndpointRow, NewDelivery, delivery_id
from webhooks.store import DeliveryStore, Transaction, open_store
from webhooks.wire import event_body, webhook_id

ENDPOINT_TOPICS = {
    get_topic(cls): cls
    for cls in (
        WebhookEndpoint.WebhookRegistered,
        WebhookEndpoint.WebhookDeactivated,
        WebhookEndpoint.WebhookReactivated,
        WebhookEndpoint.WebhookSecretRotated,
    )
}


class LogReader(Protocol):
    """The slice of the event log after a position (at least one entry, waiting for it,
    or none once closed)."""

    def read(self, after: int, limit: int) -> Sequence[Notification]: ...

    def close(self) -> None: ...


class SubscriptionLogReader:
    """The projections' subscription to the log (LISTEN/NOTIFY on PostgreSQL, polling on
    SQLite), restarted whenever the follower asks from another position than where the
    last batch ended: after a failed transaction, or when another worker moved ahead."""

    def __init__(self, recorder: Any, poll_interval: float = POLL_INTERVAL) -> None:
        self.recorder = recorder
        self.poll_interval = poll_interval
        self._subscription: Any = None
        self._next_after: int | None = None
        self._closed = threading.Event()

    def read(self, after: int, limit: int) -> Sequence[Notification]:
        if self._closed.is_set():
            self._end_subscription()  # its pull thread must not outlive the connections
            return []
        if self._subscription is None or self._next_after != after:
            self._end_subscription()
            # On SQLite, while events come, it looks every poll_interval however many
            # writes there are: deliveries can wait that long, and each step (its reads,
            # and a transaction moving the position) competes with the replies of a busy
            # serve for the one interpreter and the write lock. A quiet log is looked at
            # seldom, and a write of this process wakes it at once.
            self._subscription = subscribe(
                self.recorder, gt=after, poll_interval=self.poll_interval
            )
            # Entered, so that leaving it later (which joins its threads) is allowed: the
            # library refuses to leave a subscription never entered.
            self._subscription.__enter__()
            if self._closed.is_set():  # close() came while it was being made
                self._end_subscription()
                return []
        try:
            batch = self._subscription.next_batch(limit)
        except StopIteration:
            self._end_subscription()
            return []
        except Exception:
            # Its connection was lost (a database outage): it would raise the same error
            # forever, so the next read starts a new one.
            self._end_subscription()
            raise
        self._next_after = batch[-1].id
        return batch

    def close(self) -> None:
        """Unblocks a read in progress (from another thread) and ends following."""
        self._closed.set()
        subscription = self._subscription
        if subscription is not None:
            subscription.stop()

    def _end_subscription(self) -> None:
        subscription, self._subscription = self._subscription, None
        self._next_after = None
        if subscription is not None:
            subscription.stop()
            subscription.__exit__(None, None, None)  # joins its threads


def delivery_for(event: Any, position: int, endpoint_id: str) -> NewDelivery:
    event_id = webhook_id(event)
    return NewDelivery(
        id=delivery_id(endpoint_id, event_id),
        webhook_id=endpoint_id,
        event_id=event_id,
        event_type=type(event).__name__,
        position=position,
        occurred_at=event.timestamp.timestamp(),
        body=event_body(event),
    )


def apply_endpoint_event(
    endpoints: dict[str, EndpointRow], event: Any, position: int
) -> EndpointRow | None:
    """Updates the follower's view of the endpoints; returns the changed row."""
    key = str(event.originator_id)
    if isinstance(event, WebhookEndpoint.WebhookRegistered):
        endpoints[key] = EndpointRow(
            id=key,
            url=event.url,
            event_types=list(event.event_types),
            active=True,
            secret=event.secret,
            old_secret=None,
            old_secret_valid_until=None,
            registered_position=position,
        )
        return endpoints[key]
    row = endpoints.get(key)
    if row is None:
        return None  # registered before this table existed? cannot happen: we read from 0
    if isinstance(event, WebhookEndpoint.WebhookDeactivated):
        row.active = False
    elif isinstance(event, WebhookEndpoint.WebhookReactivated):
        row.active = True
    elif isinstance(event, WebhookEndpoint.WebhookSecretRotated):
        row.secret = event.new_secret
        row.old_secret = event.old_secret
        row.old_secret_valid_until = event.old_secret_valid_until.timestamp()
    return row


FORGOTTEN = Person.PersonForgotten.__name__
FORGOTTEN_TOPIC = get_topic(Person.PersonForgotten)


class Follower:
    def __init__(self, store: DeliveryStore, reader: LogReader, mapper: Any, batch_size: int):
        self.store = store
        self.reader = reader
        self.mapper = mapper
        self.batch_size = batch_size

    def step(self) -> tuple[int, int]:
        """Records the deliveries of the next batch of the log; returns how many log
        entries were consumed and how many deliveries were recorded."""
        start = self.store.position()
        notifications = self.reader.read(start, self.batch_size)
        if not notifications:
            return 0, 0
        with self.store.transaction() as tx:
            if tx.position() != start:
                return 0, 0  # another worker recorded this batch meanwhile; read again
            recorded = self._record(tx, notifications)
            tx.move_to(notifications[-1].id)
        if any(n.topic == FORGOTTEN_TOPIC for n in notifications):
            empty_wal(getattr(self.store, "path", None))  # the erased bodies' old pages
        return len(notifications), recorded

    def _record(self, tx: Transaction, notifications: Sequence[Notification]) -> int:
        endpoints = tx.endpoints()
        changed: dict[str, EndpointRow] = {}
        deliveries: list[NewDelivery] = []
        for n in notifications:
            if n.topic in ENDPOINT_TOPICS:
                row = apply_endpoint_event(endpoints, self.mapper.to_domain_event(n), n.id)
                if row is not None:
                    changed[row.id] = row
                continue
            event_type = DELIVERED_TOPICS.get(n.topic)
            if event_type is None:
                continue  # registrations, indexes, tokens: not delivered
            if event_type == FORGOTTEN:
                tx.add_deliveries(deliveries, time.time())  # the earlier ones first
                deliveries = []
                erase_bodies_about(tx, str(n.originator_id))
            wanting = [e for e in endpoints.values() if e.wants(event_type)]
            if not wanting:
                continue
            event = self.mapper.to_domain_event(n)
            deliveries.extend(delivery_for(event, n.id, e.id) for e in wanting)
        for row in changed.values():
            tx.save_endpoint(row)
        tx.add_deliveries(deliveries, time.time())
        return len(deliveries)


def start_after(storage: Storage, position: int, page_size: int = 500) -> bool:
    """For a log imported from another database, which delivered it already: records
    each endpoint as the log up to `position` leaves it (secret, event types, active) and
    moves the follower to `position`, so that only later events are delivered. False if
    a follower had already moved (a worker was running): then nothing is changed."""
    app = open_application(storage)
    store = open_store(storage)
    try:
        endpoints: dict[str, EndpointRow] = {}
        start = 0
        while page := app.recorder.select_notifications(
            start, page_size, stop=position, topics=tuple(ENDPOINT_TOPICS), inclusive_of_start=False
        ):
            for n in page:
                apply_endpoint_event(endpoints, app.mapper.to_domain_event(n), n.id)
            start = page[-1].id
        with store.transaction() as tx:
            if tx.position() != 0:
                return False
            for row in endpoints.values():
                tx.save_endpoint(row)
            tx.move_to(position)
        return True
    finally:
        store.close()
        app.close()
