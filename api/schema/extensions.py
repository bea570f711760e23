"""Schema extensions: the authentication gate, error codes and masking, metrics."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import MaskErrors, SchemaExtension

from api import metrics
from api.errors import BAD_USER_INPUT, INTERNAL, UNAUTHENTICATED, ClientError
from api.schema.context import Context

log = logging.getLogger("introductions.api")
PUBLIC_FIELDS = frozenset({"health", "__typename"})  # the only fields that need no token


def _top_level_fields(selection_set: SelectionSetNode, fragments: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= _top_level_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                names |= _top_level_fields(fragment.selection_set, fragments)
    return names


class AuthenticationGate(SchemaExtension):
    """No token, or an unknown one: one top-level UNAUTHENTICATED error and no data, for
    every operation but `health`. Runs after validation, before any resolver."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        context = ec.context
        if isinstance(context, Context) and context.actor_id is None and ec.graphql_document:
            fragments = {}
            operations = []
            for d in ec.graphql_document.definitions:
                if isinstance(d, OperationDefinitionNode):
                    if ec.operation_name is None or (d.name and d.name.value == ec.operation_name):
                        operations.append(d)
                elif hasattr(d, "selection_set") and hasattr(d, "name"):
                    fragments[d.name.value] = d
            wanted: set[str] = set()
            for op in operations:
                wanted |= _top_level_fields(op.selection_set, fragments)
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


class CodedErrors(MaskErrors):
    """Gives every error a code: parse and validation errors (a wrong type, an unknown
    enum value) are BAD_USER_INPUT; unexpected exceptions are masked as "Unexpected
    error" with the request id, which the log line of the real error carries too."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: not _is_expected(e))

    def _request_id(self) -> str:
        context = self.execution_context.context
        return getattr(context, "request_id", "-")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = self._request_id()
        log.error(
            "unexpected error in %s",
            ".".join(str(p) for p in (error.path or [])) or "operation",
            exc_info=error.original_error,
            extra={"request_id": request_id},
        )
        metrics.ERRORS.labels(code=INTERNAL).inc()
        return GraphQLError(
            f"Unexpected error (request id {request_id}).",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": INTERNAL, "requestId": request_id},
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if error.extensions is None or "code" not in error.extensions:
                error.extensions = {**(error.extensions or {}), "code": BAD_USER_INPUT}
            code = str(error.extensions["code"])
            if code != INTERNAL:
                metrics.ERRORS.labels(code=code).inc()
        return processed
