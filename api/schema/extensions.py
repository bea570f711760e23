"""The authentication gate, and error codes and masking for every error reported."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api import metrics, outage
from api.errors import BAD_USER_INPUT, INTERNAL, UNAUTHENTICATED, ClientError
from api.observability import REQUEST_ID
from api.schema.context import Context
from api.schema.measure import Shape

log = logging.getLogger("introductions.api")
PUBLIC_FIELDS = frozenset({"health", "__typename"})  # the only fields that need no token
SUGGESTION = re.compile(r" Did you mean [^?]*\?")  # graphql-core's did_you_mean()


def _subscription_over_http(ec: Any) -> bool:
    """A subscription sent by POST would run as a one-off query and fail on its stream."""
    try:
        is_subscription = ec.operation_type == OperationType.SUBSCRIPTION
    except RuntimeError:  # no such operation: execution reports it
        return False
    request = getattr(ec.context, "request", None)
    return is_subscription and not isinstance(request, WebSocket)


class AuthenticationGate(SchemaExtension):
    """Runs after validation, before any resolver. Subscriptions only over websockets.
    No token, or an unknown one: one top-level UNAUTHENTICATED error and no data, for
    every operation but `health`."""

    shape: Shape | None = None  # the document's, measured while it was checked

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        context = ec.context
        if _subscription_over_http(ec):
            message = "Subscriptions are served over websockets (graphql-transport-ws) at /graphql."
            ec.result = ExecutionResult(
                data=None, errors=[ClientError(message, extensions={"code": BAD_USER_INPUT})]
            )
            yield
            return
        if isinstance(context, Context) and context.actor_id is None and self.shape is not None:
            wanted: set[str] = set()
            for name, fields in self.shape.top_level_fields.items():
                if ec.operation_name is None or name == ec.operation_name:
                    wanted |= fields
            if not wanted <= PUBLIC_FIELDS:
                message = "Authentication required: send Authorization: Bearer <token>."
                ec.result = ExecutionResult(
                    data=None,
                    errors=[ClientError(message, extensions={"code": UNAUTHENTICATED})],
                )
        yield


def _is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


def finish_errors(
    errors: list[GraphQLError], execution_context: Any, *, suggestions: bool = True
) -> None:
    """Gives every error its code, in place, once: parse and validation errors (a wrong
    type, an unknown enum value, a syntax error) are BAD_USER_INPUT; an unexpected
    exception becomes "Unexpected error" with the request id, which the log line of the
    real error (with its stack) carries too. Without `suggestions` (production), no
    "Did you mean ...?" helps an outsider guess the schema's names. Runs on every path
    strawberry reports errors through, including failures before execution that bypass
    extensions."""
    context = getattr(execution_context, "context", None)
    request_id = getattr(context, "request_id", None) or REQUEST_ID.get()
    for error in errors:
        if getattr(error, "_introductions_finished", False):
            # Already coded: validation errors come from a cache, shared across requests.
            metrics.ERRORS.labels(code=str((error.extensions or {}).get("code"))).inc()
            continue
        if not _is_expected(error) and outage.is_unavailable(error.original_error):
            log.warning(
                "database unreachable: %s", error.original_error, extra={"request_id": request_id}
            )
            error.message = outage.MESSAGE
            error.args = (error.message,)
            error.original_error = None
            error.extensions = outage.extensions()
            response = getattr(context, "response", None)
            if response is not None:
                response.status_code = 503
                response.headers.update(outage.headers())
        elif not _is_expected(error):
            log.error(
                "unexpected error in %s",
                ".".join(str(p) for p in (error.path or [])) or "operation",
                exc_info=error.original_error,
                extra={"request_id": request_id},
            )
            error.message = f"Unexpected error (request id {request_id})."
            error.args = (error.message,)
            error.original_error = None
            error.extensions = {"code": INTERNAL, "requestId": request_id}
        elif not error.extensions or "code" not in error.extensions:
            error.extensions = {**(error.extensions or {}), "code": BAD_USER_INPUT}
        if not suggestions and SUGGESTION.search(error.message):
            error.message = SUGGESTION.sub("", error.message)
            error.args = (error.message,)
        error._introductions_finished = True  # type: ignore[attr-defined]
        metrics.ERRORS.labels(code=str(error.extensions["code"])).inc()
