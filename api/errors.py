"""How failures reach a client. Expected ones carry a code from the contract's ErrorCode
(or UNAUTHENTICATED); anything else is masked so that no stack trace leaves the process."""

from __future__ import annotations

from graphql import GraphQLError

from domain.errors import DomainError

UNAUTHENTICATED = "UNAUTHENTICATED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"


class ClientError(GraphQLError):
    """An error meant for the client, with its code in extensions.code."""


def error_with_code(message: str, code: str, field: str | None = None) -> ClientError:
    extensions: dict[str, object] = {"code": code}
    if field is not None:
        extensions["field"] = field
    return ClientError(message, extensions=extensions)


def from_domain(error: DomainError) -> ClientError:
    """For queries: a domain error as a top-level error (mutations return them as data)."""
    return error_with_code(error.message, error.code, error.field)
