"""Typed domain errors. Each carries a message a person can act on, and the code the
API reports (the `ErrorCode` enum of the GraphQL contract)."""

from __future__ import annotations


class DomainError(Exception):
    code = "DOMAIN_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadInput(DomainError):
    code = "BAD_USER_INPUT"


class NotFound(DomainError):
    code = "NOT_FOUND"


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"


class ConcurrencyConflict(DomainError):
    code = "CONCURRENCY_CONFLICT"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class ConfigurationError(Exception):
    """Raised at start-up for bad settings; its message is one line naming the variable."""
