"""What the API calls to look at deliveries and to send again. Admin only, like the
endpoints themselves. Redelivery and replay only (re)schedule rows: the dispatcher
sends them, with the original webhook-id."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.application import IntroductionsApp
from domain.delivered import DELIVERED_TOPICS
from domain.errors import BadInput, Forbidden, NotFound
from domain.introduction import ADMIN
from domain.use_case_base import canonical_id
from domain.webhook import WebhookEndpoint
from storage.database import Storage
from webhooks.follower import delivery_for
from webhooks.records import Delivery, DeliveryStatus
from webhooks.store import DeliveryStore, open_store

DELIVERIES_MAX = 500
REPLAY_PAGE = 1000


def _require_admin(actor_id: str) -> None:
    if actor_id != ADMIN:
        msg = "Only the admin may see or resend webhook deliveries."
        raise Forbidden(msg)


class WebhookControl:
    def __init__(self, app: IntroductionsApp, storage: Storage) -> None:
        self.app = app
        self.storage = storage
        self._store: DeliveryStore | None = None

    @property
    def store(self) -> DeliveryStore:
        if self._store is None:
            self._store = open_store(self.storage)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def deliveries(
        self,
        actor_id: str,
        webhook_id: str,
        status: DeliveryStatus | str | None = None,
        first: int = 50,
    ) -> list[Delivery]:
        """The endpoint's deliveries, the latest events first."""
        _require_admin(actor_id)
        endpoint = self.app.get_webhook(actor_id, webhook_id)
        if not 0 <= first <= DELIVERIES_MAX:
            msg = f"first must be between 0 and {DELIVERIES_MAX}."
            raise BadInput(msg, field="first")
        wanted = DeliveryStatus(status) if status is not None else None
        return self.store.deliveries(str(endpoint.id), wanted, first)

    def redeliver(
        self, actor_id: str, delivery_id: str, *, idempotency_key: str | None = None
    ) -> Delivery:
        """A fresh round of attempts (the whole retry schedule), starting now. Repeated
        with the same idempotency key: the delivery as it is now, not sent again."""
        _require_admin(actor_id)
        return self.app.once_outside_log(
            actor_id,
            idempotency_key,
            "redeliverWebhookDelivery",
            [canonical_id(delivery_id)],
            lambda: self._redeliver(canonical_id(delivery_id)),
            lambda d: (UUID(d.id), 0),
            lambda found, _: self._delivery(str(found)),
        )

    def _redeliver(self, delivery_id: str) -> Delivery:
        if not self.store.redeliver(str(delivery_id), time.time()):
            msg = f"No webhook delivery has the id {delivery_id}."
            raise NotFound(msg)
        return self._delivery(str(delivery_id))

    def _delivery(self, delivery_id: str) -> Delivery:
        delivery = self.store.delivery(delivery_id)
        assert delivery is not None  # deliveries are pruned only once finished, by hand
        return delivery

    def replay(
        self,
        actor_id: str,
        webhook_id: str,
        since: datetime,
        *,
        idempotency_key: str | None = None,
    ) -> int:
        """Schedules every matching delivered event that occurred at or after `since`
        for the endpoint, even those before its registration; returns how many. Repeated
        with the same idempotency key: the first count, nothing scheduled again."""
        _require_admin(actor_id)
        if since.tzinfo is None:
            msg = "since must carry a UTC offset, as in 2026-11-25T18:00:00+00:00."
            raise BadInput(msg, field="since")
        endpoint = self.app.get_webhook(actor_id, webhook_id)
        return self.app.once_outside_log(
            actor_id,
            idempotency_key,
            "replayWebhook",
            [str(endpoint.id), since],
            lambda: self._replay(endpoint, since),
            lambda scheduled: (endpoint.id, scheduled),
            lambda _id, scheduled: scheduled,
        )

    def _replay(self, endpoint: WebhookEndpoint, since: datetime) -> int:
        types = set(endpoint.event_types)
        topics = [t for t, name in DELIVERED_TOPICS.items() if not types or name in types]
        recorder: Any = self.app.recorder
        scheduled, after = 0, 0
        while True:
            page = recorder.select_notifications(
                start=after, limit=REPLAY_PAGE, topics=topics, inclusive_of_start=False
            )
            if not page:
                return scheduled
            batch = []
            for n in page:
                event: Any = self.app.mapper.to_domain_event(n)
                if event.timestamp >= since:
                    batch.append(delivery_for(event, n.id, str(endpoint.id)))
            with self.store.transaction() as tx:
                tx.schedule_again(batch, time.time())
            scheduled += len(batch)
            after = page[-1].id

    def prune(self, actor_id: str, before: datetime) -> int:
        """Forgets finished deliveries of events older than `before` (the table otherwise
        grows with every event); returns how many were deleted."""
        _require_admin(actor_id)
        if before.tzinfo is None:
            msg = "before must carry a UTC offset, as in 2026-11-25T18:00:00+00:00."
            raise BadInput(msg, field="before")
        return self.store.prune(before.timestamp())
