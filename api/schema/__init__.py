"""The GraphQL schema: every type, field, argument and enum value of contract.graphql."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import strawberry
from graphql import (
    ASTValidationRule,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    get_operation_ast,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from api.schema.checking import Checked, checked, parsed, query_cost
from api.schema.coach import CoachQueries
from api.schema.extensions import AuthenticationGate, finish_errors
from api.schema.forgetting import ForgetMutations
from api.schema.measure import page_values, refused
from api.schema.mutations import CoreMutations
from api.schema.profiles import ProfileMutations
from api.schema.queries import Query as CoreQueries
from api.schema.subscriptions import Subscription
from api.schema.suggestions import SuggestionQueries
from api.schema.webhooks import WebhookMutations
from config import DEFAULT_MAX_QUERY_COST

Query = merge_types("Query", (CoreQueries, CoachQueries, SuggestionQueries))
Mutation = merge_types(
    "Mutation", (CoreMutations, WebhookMutations, ProfileMutations, ForgetMutations)
)


def operation_type(query: str | None, operation_name: str | None) -> OperationType | None:
    """What the request would run (None when it does not parse or names no operation)."""
    if query is None:
        return None
    try:
        operation = get_operation_ast(parsed(query), operation_name)
    except GraphQLError:
        return None
    return None if operation is None else OperationType(operation.operation.value)


class Guard(AuthenticationGate):
    """Every per-request check in one extension: parsing and validation (with the token,
    spread, depth and alias limits; api.schema.checking), the cost limit, then the
    authentication gate. strawberry's own limiter and cache extensions do the same in
    five extensions, each with its hooks on every request, and its depth and alias
    limiters walk a fragment again at every spread."""

    RULES: ClassVar[tuple[type[ASTValidationRule], ...]] = ()
    checked: Checked | None = None
    cost: int | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        ec = self.execution_context
        if ec.query is not None:
            rules = tuple(ec.validation_rules) + self.RULES
            self.checked = await checked(ec.schema._schema, ec.query, rules)
            self.shape = self.checked.shape
            ec.graphql_document = self.checked.document
        yield

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        # on_parse checked the text (strawberry refuses a missing query)
        assert self.checked is not None
        ec.pre_execution_errors = self.checked.errors or self._over_cost()
        yield

    def _over_cost(self) -> list[GraphQLError]:
        ec = self.execution_context
        assert self.checked is not None
        pages = page_values(self.checked.shape, ec.variables)
        cost = query_cost(ec.schema._schema, self.checked, ec.operation_name, pages)
        limit = getattr(ec.schema, "max_cost", DEFAULT_MAX_QUERY_COST)
        if cost <= limit:
            self.cost = cost
            return []
        message = (
            f"The query's cost is {cost}, over the limit of {limit}: ask for fewer items "
            "(first) or fewer fields."
        )
        return [refused(message, cost=cost, limit=limit)]

    def get_results(self) -> dict[str, Any]:
        return {} if self.cost is None else {"cost": self.cost}


class ProductionGuard(Guard):
    """Production: __schema and __type are refused too (__typename still works)."""

    RULES = (NoSchemaIntrospectionCustomRule,)


class IntroductionsSchema(strawberry.Schema):
    def __init__(
        self,
        *args: Any,
        max_cost: int = DEFAULT_MAX_QUERY_COST,
        suggestions: bool = True,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.max_cost = max_cost
        self.suggestions = suggestions  # "Did you mean ...?" in errors: not in production

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Instead of strawberry's logging of every error with its stack: unexpected errors
        # are logged once, with the request id, and masked; expected ones are the
        # client's business, not the operator's.
        finish_errors(errors, execution_context, suggestions=self.suggestions)


def build_schema(
    *, introspection: bool = True, max_cost: int = DEFAULT_MAX_QUERY_COST
) -> strawberry.Schema:
    """Development (`introspection`) or production: no introspection, no suggestions."""
    # A class, not an instance: an extension holds its request's execution context, so
    # each request must get its own.
    guard = Guard if introspection else ProductionGuard
    return IntroductionsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[guard],
        max_cost=max_cost,
        suggestions=introspection,
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
