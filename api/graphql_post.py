"""POST /graphql with a well-formed JSON body, executed on the schema directly.

FastAPI's route would add to every operation its dependency injection (strawberry's
context getter is four dependencies), strawberry's HTTP view (its request adapter,
content-type parsing through the email package, runtime protocol checks) and a response
object: about a third of the event loop's time under load. This path does what the view
does for such a body, with the router's own hooks (the context, process_result,
encode_json), and sends the messages the router's Response would: the answers are the
same. Anything else (GET, GraphiQL, websockets, another content type, a body the view
would refuse or stream) goes to the router unchanged, with its body
replayed, and gets the router's own answer."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.background import BackgroundTasks
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.fastapi import GraphQLRouter
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api import outage
from api.schema.context import Context

PATH = "/graphql"
ALLOWED = frozenset({OperationType.QUERY, OperationType.MUTATION})  # as the router's POST
_OPTIONAL_OBJECTS = ("variables", "extensions")


class GraphQLPostFastPath:
    def __init__(
        self,
        app: ASGIApp,
        router: GraphQLRouter[Context, None],
        context_getter: Callable[[HTTPConnection], Awaitable[Context]],
    ) -> None:
        self.app = app
        self.router = router
        self.context_getter = context_getter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_plain_json_post(scope):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        data = _operation(body)
        if data is None:
            await self.app(scope, _replaying(body, receive), send)
            return
        request = Request(scope, receive)
        try:
            context = await self.context_getter(request)
        except outage.StorageUnavailable as e:
            await (await outage.unavailable_response(request, e))(scope, receive, send)
            return
        sub_response = Response()
        sub_response.status_code = None  # type: ignore[assignment] # as FastAPI's
        del sub_response.headers["content-length"]
        context.request = request
        context.response = sub_response
        context.background_tasks = BackgroundTasks()
        try:
            result = await self.router.schema.execute(
                data["query"],
                variable_values=data.get("variables"),
                context_value=context,
                operation_name=data.get("operationName"),
                allowed_operation_types=ALLOWED,
                operation_extensions=data.get("extensions"),
            )
        except (CannotGetOperationTypeError, InvalidOperationTypeError, MissingQueryError):
            # Refused before anything ran: the router words the 400 as it always has.
            await self.app(scope, _replaying(body, receive), send)
            return
        if not isinstance(result, ExecutionResult):
            msg = f"a single POSTed operation gave {type(result).__name__}"
            raise TypeError(msg)
        encoded = self.router.encode_json(await self.router.process_result(request, result))
        answer = encoded.encode() if isinstance(encoded, str) else encoded
        await _answer(send, sub_response, answer)
        if context.background_tasks.tasks:
            await context.background_tasks()


async def _answer(send: Send, sub_response: Response, body: bytes) -> None:
    """The router's answer (create_response: a JSON Response with the sub-response's
    status and headers), sent without making it: the same messages."""
    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", b"application/json"),
        *sub_response.headers.raw,
    ]
    status = sub_response.status_code or 200
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _is_plain_json_post(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
        return False
    content_type = accept = b""
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value
        elif name == b"accept":
            accept = value
    media_type = content_type.split(b";", 1)[0].strip()  # as the router, case and all
    # multipart/mixed or text/event-stream in Accept asks the router to stream
    return (
        media_type == b"application/json"
        and b"multipart" not in accept
        and (b"event-stream" not in accept)
    )


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _operation(body: bytes) -> dict[str, Any] | None:
    """The body as one operation, if the router would take it as one; else None."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, or nested too deeply
        return None
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return None
    if any(not isinstance(data.get(key, {}), dict | None) for key in _OPTIONAL_OBJECTS):
        return None
    if not isinstance(data.get("operationName"), str | None):
        return None
    return data


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
