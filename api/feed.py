"""The live feed behind subscriptions: one poller per process reads new delivered events
(domain/delivered.py) from the notification log and fans them out to every subscriber's
queue, so a thousand subscribers cost one query per interval, not a thousand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio.to_thread

from domain.application import HistoryEntry, IntroductionsApp, history_entry
from domain.delivered import DELIVERED_TOPICS, PERSON_TOPICS
from domain.introduction import ADMIN

log = logging.getLogger("introductions.feed")
BATCH = 500
QUEUE_SIZE = 1_000
DELIVERED_EVENT_TOPICS = tuple(DELIVERED_TOPICS)


@dataclass(frozen=True)
class Roles:
    introducer_id: str
    requester_id: str
    target_id: str

    def visible_to(self, actor_id: str) -> bool:
        return actor_id in {ADMIN, self.introducer_id, self.requester_id, self.target_id}


@dataclass(frozen=True)
class FeedItem:
    entry: HistoryEntry
    roles: Roles | None  # an introduction's; None for a person's event (entry.introduction_id
    # is then the person's id)


class EventFeed:
    def __init__(self, app: IntroductionsApp, interval: float = 0.2) -> None:
        self.app = app
        self.interval = interval
        self._subscribers: set[asyncio.Queue[FeedItem | None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._position: int | None = None
        self._roles: dict[str, Roles] = {}  # who may see an introduction never changes
        self._lock = asyncio.Lock()

    async def subscribe(self) -> AsyncIterator[FeedItem]:
        queue: asyncio.Queue[FeedItem | None] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        try:
            async with self._lock:
                if self._task is None or self._task.done():
                    self._position = await anyio.to_thread.run_sync(
                        self.app.recorder.max_notification_id
                    )
                    self._task = asyncio.create_task(self._poll())
            while True:
                item = await queue.get()
                if item is None:  # too slow to keep up: end rather than skip events
                    return
                yield item
        finally:
            self._subscribers.discard(queue)

    def following(self) -> int:
        """How many subscriptions receive every event recorded from now on."""
        running = self._task is not None and not self._task.done()
        return len(self._subscribers) if running else 0

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self) -> None:
        while self._subscribers:
            try:
                items = await anyio.to_thread.run_sync(self._read_new)
            except Exception:
                log.exception("event feed: reading the log failed; retrying")
                items = []
            for item in items:
                for queue in list(self._subscribers):
                    try:
                        queue.put_nowait(item)
                    except asyncio.QueueFull:
                        self._subscribers.discard(queue)
                        with contextlib.suppress(asyncio.QueueFull):
                            queue.get_nowait()
                            queue.put_nowait(None)
            if len(items) < BATCH:
                await asyncio.sleep(self.interval)
        self._task = None

    def _read_new(self) -> list[FeedItem]:
        start = (self._position or 0) + 1
        notifications = self.app.recorder.select_notifications(
            start, BATCH, topics=DELIVERED_EVENT_TOPICS
        )
        items = []
        for n in notifications:
            self._position = max(self._position or 0, n.id)
            entry = history_entry(self.app.mapper.to_domain_event(n))
            if n.topic in PERSON_TOPICS:
                items.append(FeedItem(entry, None))
            else:
                items.append(FeedItem(entry, self._roles_of(entry)))
        return items

    def _roles_of(self, entry: HistoryEntry) -> Roles:
        key = str(entry.introduction_id)
        if key not in self._roles:
            if len(self._roles) > 100_000:
                self._roles.clear()
            data = entry.data
            if "introducer_id" in data:
                roles = Roles(data["introducer_id"], data["requester_id"], data["target_id"])
            else:
                i = self.app.get_introduction(entry.introduction_id)
                roles = Roles(i.introducer_id, i.requester_id, i.target_id)
            self._roles[key] = roles
        return self._roles[key]
