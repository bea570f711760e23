"""Websockets (graphql-transport-ws) whose token stays checked while they are open.

A socket authenticates once, in connection_init; afterwards every operation checks the
token again, and every open socket checks it once a second, both through the token
cache, so either costs a dictionary lookup while the token is cached. A revocation in
this process forgets the token and checks every socket at once; one in another process,
or an expiry, is seen within the cache's lifetime. A socket whose token is gone has its
operations stopped and is closed with 4403. Operations count against the rate limit like
requests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLFormattedError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)

from api.rate_limit import RATE_LIMITED, token_key

if TYPE_CHECKING:
    from api.schema.context import Context
    from api.services import Services

log = logging.getLogger("introductions.api")
FORBIDDEN = 4403
CHECK_INTERVAL_SECONDS = 1.0


class IntroductionsSocket(BaseGraphQLTransportWSHandler[Any, None]):
    context: Context

    @property
    def services(self) -> Services:
        return self.context.services

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            self.services.sockets.add(self)

    async def shutdown(self) -> None:
        self.services.sockets.discard(self)
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged:
            if not await self.token_still_valid():
                await self.forbid()
                return
            refusal = self.rate_limited()
            if refusal is not None:
                await self.send_message(
                    ErrorMessage(id=message["id"], type="error", payload=[refusal])
                )
                return
        await super().handle_subscribe(message)

    def rate_limited(self) -> GraphQLFormattedError | None:
        """The error refusing one more operation past the token's budget, or None."""
        limit, token = self.services.rate_limit, self.context.token
        if limit is None or token is None:
            return None
        retry_after = limit.retry_after(token_key(token))
        if retry_after is None:
            return None
        extensions = {"code": RATE_LIMITED, "retryAfterSeconds": retry_after}
        return GraphQLError(limit.message(retry_after), extensions=extensions).formatted

    async def token_still_valid(self) -> bool:
        try:
            actor = await self.services.actor_of(self.context.token)
        except Exception:
            # Storage unreachable (each request logs that): not a reason to close a socket.
            log.debug("websocket: the token could not be checked", exc_info=True)
            return True
        return actor is not None and actor == self.context.actor_id

    async def forbid(self) -> None:
        """Stops every operation of the socket, then closes it with 4403."""
        self.services.sockets.discard(self)
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with contextlib.suppress(Exception):  # already closed by the client
            await self.websocket.close(FORBIDDEN, "Forbidden: the token was revoked or expired")


class OpenSockets:
    """This process's authenticated sockets, and the task that checks their tokens (it
    runs while there is a socket, as the event feed's poller)."""

    def __init__(self, interval: float = CHECK_INTERVAL_SECONDS) -> None:
        self.interval = interval
        self._sockets: set[IntroductionsSocket] = set()
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def add(self, socket: IntroductionsSocket) -> None:
        self._sockets.add(socket)
        if self._task is None or self._task.done():
            self._loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._watch(self._wake))

    def discard(self, socket: IntroductionsSocket) -> None:
        self._sockets.discard(socket)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def check_now(self) -> None:
        """Checks every socket's token without waiting for the next round; from any
        thread."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _watch(self, wake: asyncio.Event) -> None:
        while self._sockets:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self.interval)
            wake.clear()
            for socket in list(self._sockets):
                if not await socket.token_still_valid():
                    await socket.forbid()
