"""Requests to /graphql limited per bearer token (per client address without one), with
the `limits` library's moving window in this process's memory: with --workers N, each
worker counts on its own, so a client may reach up to N times the limit. Answers 429
with Retry-After in seconds."""

from __future__ import annotations

import hashlib
import math
import time

from limits import RateLimitItem
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import bearer_token
from api.observability import send_error


def caller_key(scope: Scope) -> str:
    """A token's digest (never the token itself), or the client's address."""
    headers = dict(scope.get("headers") or [])
    token = bearer_token(headers.get(b"authorization", b"").decode("latin-1"))
    if token is not None:
        return "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()
    client = scope.get("client")
    return "address:" + (client[0] if client else "unknown")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, rate: RateLimitItem) -> None:
        self.app = app
        self.rate = rate
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/graphql"):
            await self.app(scope, receive, send)
            return
        key = caller_key(scope)
        if self.limiter.hit(self.rate, key):
            await self.app(scope, receive, send)
            return
        reset = self.limiter.get_window_stats(self.rate, key).reset_time
        retry_after = max(1, math.ceil(reset - time.time()))
        message = f"Too many requests ({self.rate} per token); retry in {retry_after} s."
        retry = [(b"retry-after", str(retry_after).encode())]
        await send_error(send, 429, message, "RATE_LIMITED", retry)
