"""What production mode changes at the edge: security headers on every answer, CORS only
for configured origins, and no start with a weak admin token."""

from __future__ import annotations

import math
from collections import Counter

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import (
    ADMIN_TOKEN_FILE_VARIABLE,
    ADMIN_TOKEN_VARIABLE,
    PREVIOUS_ADMIN_TOKEN_VARIABLE,
    admin_tokens,
)
from api.settings import EdgeSettings
from domain.errors import ConfigurationError
from storage.database import Storage

MIN_ADMIN_TOKEN_LENGTH = 32
MIN_ADMIN_TOKEN_BITS = 128
STRONG_TOKEN_HINT = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'  # noqa: S105 - how to make one


def estimated_bits(token: str) -> float:
    """A generous upper estimate of a token's entropy: its length times the Shannon
    entropy of its own characters. Repetitive or short tokens score low."""
    if not token:
        return 0.0
    counts = Counter(token)
    per_char = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    return per_char * len(token)


def require_production_admin_tokens(storage: Storage, environ: dict[str, str]) -> None:
    """Production takes its admin token from the operator (INTRODUCTIONS_ADMIN_TOKEN, or a
    file it provides in INTRODUCTIONS_ADMIN_TOKEN_FILE), never generates one, and refuses
    a weak one, the previous token of a rotation included."""
    if not environ.get(ADMIN_TOKEN_VARIABLE) and not environ.get(ADMIN_TOKEN_FILE_VARIABLE):
        msg = (
            f"production mode needs an admin token: set {ADMIN_TOKEN_VARIABLE} (or "
            f"{ADMIN_TOKEN_FILE_VARIABLE} to a file holding one); make one with: "
            f"{STRONG_TOKEN_HINT}"
        )
        raise ConfigurationError(msg)
    try:
        tokens = admin_tokens(storage, environ)
    except OSError as e:
        msg = f"{ADMIN_TOKEN_FILE_VARIABLE}: cannot read the admin token ({e.strerror})"
        raise ConfigurationError(msg) from None
    for token in tokens:
        if len(token) < MIN_ADMIN_TOKEN_LENGTH or estimated_bits(token) < MIN_ADMIN_TOKEN_BITS:
            msg = (
                f"production mode refuses a weak admin token ({ADMIN_TOKEN_VARIABLE} and "
                f"{PREVIOUS_ADMIN_TOKEN_VARIABLE} need at least {MIN_ADMIN_TOKEN_LENGTH} "
                "random characters, about "
                f"{MIN_ADMIN_TOKEN_BITS} bits); make one with: {STRONG_TOKEN_HINT}"
            )
            raise ConfigurationError(msg)


def security_headers(settings: EdgeSettings) -> list[tuple[bytes, bytes]]:
    # GraphiQL (development only) loads its scripts from a CDN; production serves
    # nothing a browser should run, so it forbids everything.
    policy = (
        "default-src 'none'; frame-ancestors 'none'"
        if settings.production
        else ("frame-ancestors 'none'")
    )
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", policy.encode()),
    ]
    if settings.hsts_seconds:
        value = f"max-age={settings.hsts_seconds}; includeSubDomains"
        headers.append((b"strict-transport-security", value.encode()))
    return headers


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP answer, and Cache-Control: no-store to
    those of /graphql, whose answers are private to their caller."""

    def __init__(self, app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.headers)
        if scope["path"].startswith("/graphql"):
            extra.append((b"cache-control", b"no-store"))
        names = {name for name, _ in extra}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_edge_protection(app: FastAPI, settings: EdgeSettings) -> None:
    """Middleware in order from the inside out: rate limit, CORS, security headers."""
    from api.rate_limit import RateLimitMiddleware

    if settings.rate is not None:
        app.add_middleware(RateLimitMiddleware, rate=settings.rate)
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(SecurityHeadersMiddleware, headers=security_headers(settings))
