"""What production mode changes at the edge: security headers on every answer, CORS only
for configured origins, /metrics behind its own token, and no start with a weak admin or
metrics token."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api import token_strength
from api.auth import (
    ADMIN_TOKEN_FILE_VARIABLE,
    ADMIN_TOKEN_VARIABLE,
    PREVIOUS_ADMIN_TOKEN_VARIABLE,
    SeveralAuthorizationHeaders,
    admin_tokens,
    authorization_header,
    bearer_token,
)
from api.observability import refuse
from api.rate_limit import RateLimit, RateLimitMiddleware
from api.settings import EdgeSettings
from api.webapp import is_web_app_path
from domain.errors import ConfigurationError
from storage.database import Storage

METRICS_TOKEN_VARIABLE = "INTRODUCTIONS_METRICS_TOKEN"  # noqa: S105 - a name, not a secret


def require_production_admin_tokens(storage: Storage, environ: dict[str, str]) -> None:
    """Production takes its admin token from the operator (INTRODUCTIONS_ADMIN_TOKEN, or a
    file it provides in INTRODUCTIONS_ADMIN_TOKEN_FILE), never generates one, and refuses
    a weak one, the previous token of a rotation included."""
    if not environ.get(ADMIN_TOKEN_VARIABLE) and not environ.get(ADMIN_TOKEN_FILE_VARIABLE):
        msg = (
            f"production mode needs an admin token: set {ADMIN_TOKEN_VARIABLE} (or "
            f"{ADMIN_TOKEN_FILE_VARIABLE} to a file holding one); make one with: "
            f"{token_strength.HINT}"
        )
        raise ConfigurationError(msg)
    try:
        tokens = admin_tokens(storage, environ)
    except OSError as e:
        msg = f"{ADMIN_TOKEN_FILE_VARIABLE}: cannot read the admin token ({e.strerror})"
        raise ConfigurationError(msg) from None
    for token in tokens:
        why = token_strength.weakness(token)
        if why is not None:
            msg = (
                f"production mode refuses a weak admin token ({ADMIN_TOKEN_VARIABLE} and "
                f"{PREVIOUS_ADMIN_TOKEN_VARIABLE} need {token_strength.MIN_BITS} random bits: "
                f"{why}); make one with: {token_strength.HINT}"
            )
            raise ConfigurationError(msg)
    metrics_token = environ.get(METRICS_TOKEN_VARIABLE)
    why = token_strength.weakness(metrics_token) if metrics_token else None
    if why is not None:
        msg = (
            f"production mode refuses a weak {METRICS_TOKEN_VARIABLE} (it needs "
            f"{token_strength.MIN_BITS} random bits: {why}); make one with: {token_strength.HINT}"
        )
        raise ConfigurationError(msg)


def metrics_refusal(settings: EdgeSettings, authorization: str | None) -> Response | None:
    """None when the caller may read /metrics. With a metrics token set, it must be sent
    as the bearer token (401 otherwise); without one, /metrics is open in development
    and not served in production (404)."""
    expected = settings.metrics_token
    if not expected:
        return PlainTextResponse("Not Found", status_code=404) if settings.production else None
    sent = bearer_token(authorization) or ""
    digests = (hashlib.sha256(t.encode()).digest() for t in (sent, expected))
    if hmac.compare_digest(*digests):
        return None
    return PlainTextResponse(
        "Send the metrics token: Authorization: Bearer <token>.",
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


# The web app (api/webapp.py) runs only its own files and talks only to its own origin
# (HTTP and websocket), in every mode.
WEB_APP_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def security_headers(
    settings: EdgeSettings, policy: str | None = None
) -> list[tuple[bytes, bytes]]:
    # GraphiQL (development only) runs scripts, its own, served from /graphiql;
    # production serves nothing else a browser should run, so it forbids everything.
    if policy is None:
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


class SecurityHeaders:
    """The security headers of every HTTP answer, and Cache-Control: no-store on those of
    /graphql, whose answers are private to their caller: they replace any of the same
    name. Added by api.observability.RequestContextMiddleware, which wraps every answer
    already; the three sets are made once."""

    def __init__(
        self, headers: list[tuple[bytes, bytes]], web_app_headers: list[tuple[bytes, bytes]]
    ) -> None:
        no_store = (b"cache-control", b"no-store")
        self._web_app = _replacing(web_app_headers)
        self._graphql = _replacing([*headers, no_store])
        self._other = _replacing(headers)

    def __call__(self, path: str) -> tuple[list[tuple[bytes, bytes]], frozenset[bytes]]:
        """(the headers, their names) for an answer to `path`."""
        if is_web_app_path(path):
            return self._web_app
        return self._graphql if path.startswith("/graphql") else self._other


def _replacing(
    headers: list[tuple[bytes, bytes]],
) -> tuple[list[tuple[bytes, bytes]], frozenset[bytes]]:
    return headers, frozenset(name for name, _ in headers)


def edge_security_headers(settings: EdgeSettings) -> SecurityHeaders:
    return SecurityHeaders(security_headers(settings), security_headers(settings, WEB_APP_POLICY))


class OneAuthorizationHeader:
    """400 for a request (or websocket handshake) with several Authorization headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"}:
            try:
                authorization_header(scope.get("headers") or [])
            except SeveralAuthorizationHeaders:
                message = "Send one Authorization header, not several."
                await refuse(scope, send, 400, message, "BAD_REQUEST")
                return
        await self.app(scope, receive, send)


def install_edge_protection(
    app: FastAPI, settings: EdgeSettings, limit: RateLimit | None = None
) -> None:
    """Middleware in order from the inside out: rate limit, one Authorization header,
    CORS. The security headers (edge_security_headers) are added outside CORS, by
    api.observability.RequestContextMiddleware."""
    if limit is not None:
        app.add_middleware(RateLimitMiddleware, limit=limit)
    app.add_middleware(OneAuthorizationHeader)
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
