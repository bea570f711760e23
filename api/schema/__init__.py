"""The GraphQL schema: every type, field, argument and enum value of contract.graphql."""

from __future__ import annotations

import logging
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

from api.schema.extensions import AuthenticationGate, CodedErrors
from api.schema.mutations import Mutation
from api.schema.queries import Query
from api.schema.subscriptions import Subscription

log = logging.getLogger("introductions.api")

MAX_DEPTH = 10
MAX_TOKENS = 2_000
MAX_ALIASES = 30


class IntroductionsSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Unexpected errors are logged (with their request id) where they are masked, in
        # CodedErrors; the expected ones are the client's business, not the operator's.
        for error in errors:
            log.debug("graphql error: %s", error.message)


def build_schema() -> strawberry.Schema:
    extensions: list[Any] = [
        QueryDepthLimiter(max_depth=MAX_DEPTH),
        MaxTokensLimiter(max_token_count=MAX_TOKENS),
        MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        ParserCache(maxsize=512),
        ValidationCache(maxsize=512),
        AuthenticationGate,
        CodedErrors(),
    ]
    return IntroductionsSchema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
