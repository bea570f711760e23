"""What the edge holds for the life of the process: the application, the read models,
the admin token's digest and the live event feed. Built once by api.app."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from api.auth import (
    UNKNOWN,
    KnownTokens,
    actor_for,
    actor_from_storage,
    actor_in_memory,
    bearer_token,
)
from api.feed import EventFeed
from api.rate_limit import RateLimit
from api.sockets import OpenSockets
from domain.application import IntroductionsApp
from projections.read_models import ReadModels
from storage.database import Storage
from storage.leased_work import LeasedWork
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
    # Production: the log's position (health, /readyz) only for an authenticated caller.
    positions_need_a_token: bool = False
    sockets: OpenSockets = field(default_factory=OpenSockets)
    rate_limit: RateLimit | None = None  # set by api.app from the edge's settings
    background: LeasedWork | None = None  # set by api.app: the lease and its work
    competes_for_lease: bool = False  # False: started with --no-background

    def __post_init__(self) -> None:
        # A token revoked here closes its open sockets at once.
        self.known_tokens.on_forget.append(self.sockets.check_now)

    def actor(self, token: str | None) -> str | None:
        """Who a bearer token stands for, or None. Blocking: call it in a thread."""
        return actor_for(token, self.admin_token_digests, self.app, self.known_tokens)

    async def actor_of(self, token: str | None) -> str | None:
        """Who a bearer token stands for: from memory when it can, or else in a thread
        (a hop for a dictionary lookup would cost more than the lookup)."""
        now = self.app.clock()
        actor = actor_in_memory(token, self.admin_token_digests, self.known_tokens, now)
        if actor is UNKNOWN:
            assert token is not None
            return await in_thread(actor_from_storage, token, self.app, self.known_tokens)
        return actor  # type: ignore[return-value]

    async def shows_positions(self, authorization: str | None) -> bool:
        if not self.positions_need_a_token:
            return True
        return await self.actor_of(bearer_token(authorization)) is not None

    def close(self) -> None:
        for close in reversed(self.closers):
            try:
                close()
            except Exception:
                log.exception("error while closing")


# Plain executors rather than anyio.to_thread: a hop through anyio adds a capacity
# limiter and cancellation checkpoints to every call, which run_in_executor does
# without. Threads are made on demand and shared by every event loop of the process.
_reading = ThreadPoolExecutor(40, thread_name_prefix="read")
WAITING_THREADS = 200
# For calls that mostly wait (read-your-writes, readiness): their own pool of threads,
# so that a burst of writes waiting for the projections cannot take every reading
# thread and stall the reads.
_waiting = ThreadPoolExecutor(WAITING_THREADS, thread_name_prefix="wait")


def _run(executor: ThreadPoolExecutor, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Any:
    # The context goes along, so that a log line in the thread keeps its request id.
    context = contextvars.copy_context()
    call = functools.partial(context.run, fn, *args, **kwargs)
    return asyncio.get_running_loop().run_in_executor(executor, call)


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """eventsourcing and the read models block on I/O: never run them on the event loop."""
    result: T = await _run(_reading, fn, *args, **kwargs)
    return result


async def in_waiting_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Like in_thread, in the pool kept for calls that mostly wait."""
    result: T = await _run(_waiting, fn, *args, **kwargs)
    return result
