"""What the edge holds for the life of the process: the application, the read models,
the admin token's digest and the live event feed. Built once by api.app."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio.to_thread

from api.auth import KnownTokens, actor_for
from api.feed import EventFeed
from domain.application import IntroductionsApp
from domain.storage import Storage
from projections.read_models import ReadModels
from webhooks.control import WebhookControl

T = TypeVar("T")
log = logging.getLogger("introductions.api")


@dataclass
class Services:
    storage: Storage
    app: IntroductionsApp
    read_models: ReadModels
    admin_token_digests: list[str]  # two during a rotation of the admin token
    feed: EventFeed
    webhooks: WebhookControl
    read_your_writes_timeout: float = 5.0
    known_tokens: KnownTokens = field(default_factory=KnownTokens)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def actor(self, token: str | None) -> str | None:
        """Who a bearer token stands for, or None. Blocking: call it in a thread."""
        return actor_for(token, self.admin_token_digests, self.app, self.known_tokens)

    def close(self) -> None:
        for close in reversed(self.closers):
            try:
                close()
            except Exception:
                log.exception("error while closing")


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """eventsourcing and the read models block on I/O: never run them on the event loop."""
    return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))


WAITING_THREADS = 200
# One limiter per event loop (a limiter belongs to the loop it was first used in).
_waiting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


async def in_waiting_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """For calls that mostly wait (read-your-writes, readiness): their own pool of threads,
    so that a burst of writes waiting for the projections cannot take every thread of the
    default pool (40) and stall the reads."""
    loop = asyncio.get_running_loop()
    limiter = _waiting.get(loop)
    if limiter is None:
        limiter = _waiting[loop] = anyio.CapacityLimiter(WAITING_THREADS)
    return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs), limiter=limiter)
