"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/): the media type
`application/graphql-response+json`, and GET for queries only.

A client that prefers `application/graphql-response+json` in `Accept` gets it, with the
spec's status codes: a request error (the document does not parse or validate, a
variable does not coerce, no valid token) is 400 (401 for the token) and has no `data`;
an answer that executed is 200, field errors and all. A client asking for
`application/json`, `*/*` or nothing gets the legacy answer, always 200, unchanged.

This sits in front of both ways a request is answered (api.graphql_post's fast path and
strawberry's router), so neither needs to know; it reads a body back only when it holds
errors, which is where the status depends on what it says."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import UNAUTHENTICATED

PATH = "/graphql"
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
CONTENT_TYPE = f"{GRAPHQL_RESPONSE}; charset=utf-8".encode()


def _quality(accept: str, media_type: str) -> float:
    """The q of `media_type` in an Accept header (0 when absent); wildcards ignored."""
    best = 0.0
    for item in accept.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        if name.lower() != media_type:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best = max(best, q)
    return best


def prefers_graphql_response(accept: str) -> bool:
    q = _quality(accept, GRAPHQL_RESPONSE)
    return q > 0 and q >= _quality(accept, JSON)


def request_error_status(body: dict[str, Any]) -> int | None:
    """400 (or 401) when the answer is a request error: errors, no data, and no error on
    a field (a path): nothing executed. None when it executed (200)."""
    errors = body.get("errors")
    if not errors or body.get("data") is not None or any(e.get("path") for e in errors):
        return None
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    return 401 if UNAUTHENTICATED in codes else 400


class GraphQLResponseMediaType:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        accept = b",".join(v for k, v in scope["headers"] if k == b"accept").decode("latin-1")
        if not prefers_graphql_response(accept):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def answer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.split(b";")[0].strip() == JSON.encode():
                    start = message  # held until the body says which status it gets
                    return
                await send(message)
            elif start is None:
                await send(message)  # not a GraphQL answer (GraphiQL, text): as it is
            else:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await _send_as_graphql_response(start, b"".join(chunks), send)

        await self.app(scope, receive, answer)


async def _send_as_graphql_response(start: Message, body: bytes, send: Send) -> None:
    status = start["status"]
    extra: list[tuple[bytes, bytes]] = []
    if status == 200 and b'"errors"' in body:
        parsed = json.loads(body)
        error_status = request_error_status(parsed) if isinstance(parsed, dict) else None
        if error_status is not None:
            status = error_status
            parsed.pop("data", None)
            body = json.dumps(parsed, ensure_ascii=False, separators=(",", ":")).encode()
            if status == 401:
                extra.append((b"www-authenticate", b"Bearer"))
    dropped = {b"content-type", b"content-length"}
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in dropped]
    headers += [
        (b"content-type", CONTENT_TYPE),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({**start, "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class MutationOverGet(Exception):
    """GET never changes anything: a mutation must come by POST."""

    def response(self) -> PlainTextResponse:
        return PlainTextResponse(
            "Mutations are sent by POST; GET runs queries only.",
            status_code=405,
            headers={"Allow": "POST"},
        )
