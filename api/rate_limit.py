"""Requests to /graphql limited per bearer token, with the `limits` library's moving
window in this process's memory: with --workers N, each worker counts on its own, so a
client may reach up to N times the limit. Only a token that authenticates has a budget of
its own: a request without one, or with one that fails, counts against its client
address, so made-up tokens share one budget. A websocket's handshake counts like a
request, and so does each operation on it (api.sockets). Answers 429 with Retry-After in
seconds."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable

from limits import RateLimitItem
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import authorization_header, bearer_token, digest
from api.observability import refuse

RATE_LIMITED = "RATE_LIMITED"
log = logging.getLogger("introductions.api")


def token_key(token: str) -> str:
    return "token:" + digest(token)  # the digest: no token is kept in memory


def address_key(scope: Scope) -> str:
    client = scope.get("client")
    return "address:" + (client[0] if client else "unknown")


class RateLimit:
    def __init__(
        self, rate: RateLimitItem, actor_of: Callable[[str | None], Awaitable[str | None]]
    ) -> None:
        self.rate = rate
        self.actor_of = actor_of
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def caller_key(self, scope: Scope) -> str:
        """The token's key if it authenticates (a token seen lately costs no storage
        read), else the client address's. A second Authorization header never gets this
        far (api.security)."""
        token = bearer_token(authorization_header(scope.get("headers") or []))
        if token is not None:
            try:
                actor = await self.actor_of(token)
            except Exception:
                # Storage unreachable: counted against the address; the request itself
                # gets its 503 from authentication.
                log.debug("rate limit: the token could not be checked", exc_info=True)
                actor = None
            if actor is not None:
                return token_key(token)
        return address_key(scope)

    def retry_after(self, key: str) -> int | None:
        """None when the caller is within its budget (and this call is counted), else
        the seconds until it may try again."""
        if self.limiter.hit(self.rate, key):
            return None
        reset = self.limiter.get_window_stats(self.rate, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def message(self, retry_after: int) -> str:
        return f"Too many requests ({self.rate} per token); retry in {retry_after} s."


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: RateLimit) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"} or not scope["path"].startswith("/graphql"):
            await self.app(scope, receive, send)
            return
        retry_after = self.limit.retry_after(await self.limit.caller_key(scope))
        if retry_after is None:
            await self.app(scope, receive, send)
            return
        retry = [(b"retry-after", str(retry_after).encode())]
        await refuse(scope, send, 429, self.limit.message(retry_after), RATE_LIMITED, retry)
