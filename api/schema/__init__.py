"""The GraphQL schema: every type, field, argument and enum value of contract.graphql."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import ClassVar

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    parse,
)
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.schema import validate_document
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.schema.coach import CoachQueries
from api.schema.extensions import AuthenticationGate, finish_errors
from api.schema.mutations import CoreMutations
from api.schema.profiles import ProfileMutations
from api.schema.queries import Query as CoreQueries
from api.schema.subscriptions import Subscription
from api.schema.webhooks import WebhookMutations

Query = merge_types("Query", (CoreQueries, CoachQueries))
Mutation = merge_types("Mutation", (CoreMutations, WebhookMutations, ProfileMutations))

MAX_DEPTH = 10
MAX_TOKENS = 2_000
MAX_ALIASES = 30
CACHED_DOCUMENTS = 512


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _parse(query: str) -> DocumentNode:
    return parse(query, max_tokens=MAX_TOKENS)


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _validate(
    schema: GraphQLSchema, query: str, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    # Keyed by the query's text, not its document: a document's hash walks the whole
    # tree on every lookup (py-spy: more than the rest of validation's hook together).
    return validate_document(schema, _parse(query), rules)


class Guard(AuthenticationGate):
    """Every per-request check in one extension: the token limit while parsing, the
    depth and alias limits while validating (parse and validation cached by query text),
    then the authentication gate. strawberry's own limiter and cache extensions do the
    same in five extensions, and each adds its hooks to every request (py-spy on serve
    showed them in every request); built per request, their rule classes also defeat
    the validation cache."""

    RULES: ClassVar[tuple[type[ASTValidationRule], ...]] = (
        depth_validator(MAX_DEPTH, None, None),
        aliases_validator(MAX_ALIASES),
    )

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.query is not None:
            ec.graphql_document = _parse(ec.query)
        yield

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        # on_parse made the document from the text (strawberry refuses a missing query)
        assert ec.query is not None
        assert ec.graphql_document is not None
        rules = tuple(ec.validation_rules) + self.RULES
        ec.pre_execution_errors = _validate(ec.schema._schema, ec.query, rules)
        yield


class ProductionGuard(Guard):
    """Production: __schema and __type are refused too (__typename still works)."""

    RULES = (*Guard.RULES, NoSchemaIntrospectionCustomRule)


class IntroductionsSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Instead of strawberry's logging of every error with its stack: unexpected errors
        # are logged once, with the request id, and masked; expected ones are the
        # client's business, not the operator's.
        finish_errors(errors, execution_context)


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    # A class, not an instance: an extension holds its request's execution context, so
    # each request must get its own.
    guard = Guard if introspection else ProductionGuard
    return IntroductionsSchema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=[guard]
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
