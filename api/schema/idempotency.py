"""The `idempotencyKey` argument every mutation takes, and what a repeated issueToken
answers instead of the token (which is shown once and never stored)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.schema.types import ErrorCode, MutationError
from domain.idempotency import FIELD

IdempotencyKeyArgument = Annotated[
    str | None,
    strawberry.argument(
        description="Makes the mutation safe to retry: the same key from the same caller "
        "within 24 hours answers the first result and writes nothing; with other "
        "arguments it is BAD_USER_INPUT. 1 to 200 printable characters, e.g. a UUID."
    ),
]


def token_not_shown_again(token_id: str) -> MutationError:
    message = (
        f"This idempotencyKey already issued token {token_id}. A token is shown only once "
        "and is not stored, so it cannot be shown again: if you did not receive it, revoke "
        "it (revokeToken) and issue a new one with a new key."
    )
    return MutationError(code=ErrorCode.BAD_USER_INPUT, message=message, field=FIELD)
