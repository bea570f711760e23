"""The GraphQL schema: every type, field, argument and enum value of contract.graphql."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from api.schema.extensions import AuthenticationGate, finish_errors
from api.schema.mutations import Mutation
from api.schema.queries import Query
from api.schema.subscriptions import Subscription

MAX_DEPTH = 10
MAX_TOKENS = 2_000
MAX_ALIASES = 30


class IntroductionsSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Instead of strawberry's logging of every error with its stack: unexpected errors
        # are logged once, with the request id, and masked; expected ones are the
        # client's business, not the operator's.
        finish_errors(errors, execution_context)


def build_schema() -> strawberry.Schema:
    # Factories, not instances: an extension holds its request's execution context, so
    # each request must get its own. The caches live at module level in strawberry.
    extensions: list[Any] = [
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        AuthenticationGate,
    ]
    return IntroductionsSchema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
