"""The GraphQL schema: every type, field, argument and enum value of contract.graphql."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

import strawberry
from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.extensions.add_validation_rules import AddValidationRules
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.schema.extensions import AuthenticationGate, finish_errors
from api.schema.mutations import CoreMutations
from api.schema.queries import Query
from api.schema.subscriptions import Subscription
from api.schema.webhooks import WebhookMutations

Mutation = merge_types("Mutation", (CoreMutations, WebhookMutations))

MAX_DEPTH = 10
MAX_TOKENS = 2_000
MAX_ALIASES = 30


class FixedQueryDepthLimiter(QueryDepthLimiter):
    """strawberry's depth limiter, with its rule built once. Built per request (as
    strawberry's constructor does), each request brings a new rule class, so the
    validation cache, keyed by the rules, never hits: every query was validated again
    (about 10 ms of a 11 ms query)."""

    RULES: ClassVar[list[type[ASTValidationRule]]] = [depth_validator(MAX_DEPTH, None, None)]

    def __init__(self) -> None:
        AddValidationRules.__init__(self, self.RULES)


class FixedMaxAliasesLimiter(MaxAliasesLimiter):
    """strawberry's alias limiter, with its rule built once (see FixedQueryDepthLimiter)."""

    RULES: ClassVar[list[type[ASTValidationRule]]] = [aliases_validator(MAX_ALIASES)]

    def __init__(self) -> None:
        AddValidationRules.__init__(self, self.RULES)


class NoIntrospection(AddValidationRules):
    """Production: __schema and __type are refused (__typename still works), with the
    rule built once so that the validation cache keeps hitting."""

    RULES: ClassVar[list[type[ASTValidationRule]]] = [NoSchemaIntrospectionCustomRule]

    def __init__(self) -> None:
        super().__init__(self.RULES)


class IntroductionsSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Instead of strawberry's logging of every error with its stack: unexpected errors
        # are logged once, with the request id, and masked; expected ones are the
        # client's business, not the operator's.
        finish_errors(errors, execution_context)


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    # Factories, not instances: an extension holds its request's execution context, so
    # each request must get its own. The caches live at module level in strawberry.
    extensions: list[Any] = [
        FixedQueryDepthLimiter,
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        FixedMaxAliasesLimiter,
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        AuthenticationGate,
    ]
    if not introspection:
        extensions.append(NoIntrospection)
    return IntroductionsSchema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
