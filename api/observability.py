"""Structured logs with a request id, request metrics, and the request body limit."""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
MAX_BODY_BYTES = 1024 * 1024  # 1 MiB
CLIENT_CLOSED_REQUEST = 499  # nginx's status for it, in our log and metrics
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_log = logging.getLogger("introductions.http")


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Never formats headers or bodies, so no token can leak.
    Not python-json-logger: a fixed set of fields, and a formatter this short is checked by
    reading it."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log prints the query string; ours prints only the path.
    logging.getLogger("uvicorn.access").disabled = True


def _route(path: str) -> str:
    # A bounded label set: unknown paths are one label, not one per path.
    return path if path in {"/graphql", "/healthz", "/readyz", "/metrics"} else "other"


class _RequestIds:
    """Ids unique across processes without a system call each: os.urandom releases the
    GIL, and under load the event loop then waits for worker threads to give it back."""

    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        self.prefix = secrets.token_hex(8)
        self.counter = itertools.count(1)


_request_ids = _RequestIds()
os.register_at_fork(after_in_child=_request_ids.renew)


def new_request_id() -> str:
    """32 hex digits: a random prefix per process, then a counter."""
    return f"{_request_ids.prefix}{next(_request_ids.counter):016x}"


@lru_cache(maxsize=1024)
def _request_metrics(method: str, path: str, status: int) -> tuple[Any, Any]:
    """The request counter's and the latency histogram's series for a request: looked
    up once per label set, not on every request (prometheus_client's labels() validates
    and locks on each call)."""
    route = _route(path)
    return (
        metrics.REQUESTS.labels(method, route, str(status)),
        metrics.LATENCY.labels(method, route),
    )


def _incoming_request_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"x-request-id":
            incoming = value.decode("latin-1")
            return incoming if _SAFE_REQUEST_ID.match(incoming) else None
    return None


# (the headers, their names) an answer to a path gets, replacing those of the same name
ResponseHeaders = Callable[[str], tuple[list[tuple[bytes, bytes]], frozenset[bytes]]]


def _no_headers(_: str) -> tuple[list[tuple[bytes, bytes]], frozenset[bytes]]:
    return [], frozenset()


class RequestContextMiddleware:
    """Gives every request an id (X-Request-ID), logs it once, measures it, and gives
    every HTTP answer the `headers` for its path (api.security's), in one wrapper of
    `send`: the outermost of ours. Not asgi-correlation-id: the id, the log line, the
    metrics and the headers then share that one wrapper on every request."""

    def __init__(self, app: ASGIApp, headers: ResponseHeaders = _no_headers) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope.get("headers") or []) or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()
        id_header = (b"x-request-id", request_id.encode())
        extra, names = self.headers(scope["path"]) if scope["type"] == "http" else ([], ())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers", ())
                kept = [(k, v) for k, v in headers if k.lower() not in names] if names else headers
                message = {**message, "headers": [*kept, *extra, id_header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client gave up (a timeout, say) before its body was read: nothing ran
            # and there is no one to answer; not a server error, so no trace in the log.
            status = CLIENT_CLOSED_REQUEST
        finally:
            if scope["type"] == "http":
                elapsed = time.perf_counter() - started
                method, path = scope["method"], scope["path"]
                requests, latency = _request_metrics(method, path, status)
                requests.inc()
                latency.observe(elapsed)
                if _log.isEnabledFor(logging.INFO):
                    _log.info(
                        "%s %s %s",
                        method,
                        path,
                        status,
                        extra={
                            "method": method,
                            "path": path,
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 2),
                        },
                    )
            REQUEST_ID.reset(token)


class BodyLimitMiddleware:
    """413 for a body past the limit, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                too_big = True
            if too_big:
                await _too_large(send)
                return
        received = 0
        overflow = False

        async def limited_receive() -> Message:
            nonlocal received, overflow
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Look like a client that went away: the app stops reading, and we
                    # answer 413 in its place.
                    overflow = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not overflow:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not overflow:
                raise
        if overflow:
            await _too_large(send)


async def _too_large(send: Send) -> None:
    await send_error(send, 413, "The request body is larger than 1 MiB.", "PAYLOAD_TOO_LARGE")


async def send_error(
    send: Send,
    status: int,
    message: str,
    code: str,
    headers: list[tuple[bytes, bytes]] | None = None,
    kind: str = "http",
) -> None:
    """An answer from the edge, before GraphQL, in GraphQL's error shape (`kind`
    "websocket.http": the same answer refusing a websocket's handshake)."""
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send(
        {
            "type": f"{kind}.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": f"{kind}.response.body", "body": body})


async def refuse(
    scope: Scope,
    send: Send,
    status: int,
    message: str,
    code: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """send_error for an HTTP request or a websocket's handshake. A server without the
    ASGI denial response closes the handshake with 403 instead."""
    if scope["type"] == "http":
        await send_error(send, status, message, code, headers)
    elif "websocket.http.response" in scope.get("extensions", {}):
        await send_error(send, status, message, code, headers, kind="websocket.http")
    else:
        await send({"type": "websocket.close", "code": 1008})
