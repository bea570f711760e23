"""Parsing and validation: once per query text, off the event loop, within a budget.

A document not seen recently is parsed and validated in a thread of its own small pool,
so that the event loop keeps answering other requests meanwhile; the measuring pass
(api.schema.measure) is linear, but graphql-core's rule for overlapping fields is
quadratic in the worst case (half a second for 2,000 tokens), and a megabyte of comment
takes as long to parse. Past CHECK_BUDGET_SECONDS the request is refused; the thread
finishes its bounded work, and at most CHECKING_THREADS such jobs run at once (a queued
one past its budget never starts)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.schema.schema import validate_document

from api.schema.measure import Shape, cost, refused, shape

MAX_TOKENS = 2_000
CACHED_DOCUMENTS = 512
CHECK_BUDGET_SECONDS = 1.0
CHECKING_THREADS = 2
Rules = tuple[type[ASTValidationRule], ...]

_checking = ThreadPoolExecutor(CHECKING_THREADS, thread_name_prefix="check")


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the cost's cache
class Checked:
    document: DocumentNode
    shape: Shape
    errors: list[GraphQLError]  # shared by every request with this text


@lru_cache(maxsize=CACHED_DOCUMENTS)
def parsed(query: str) -> DocumentNode:
    """The document of a query text (a GraphQLError past MAX_TOKENS or for bad syntax),
    parsed once for every reader: the check below, and the GET view's operation type."""
    return parse(query, max_tokens=MAX_TOKENS)


def check(schema: GraphQLSchema, query: str, rules: Rules) -> Checked:
    document = parsed(query)
    measured = shape(document)
    # A document over a limit gets that one error: no other rule walks it.
    errors = measured.errors or validate_document(schema, document, rules)
    return Checked(document, measured, errors)


class _Recent:
    """The last CACHED_DOCUMENTS checks by query text. (functools.lru_cache cannot say
    whether it holds a key without computing it, and a miss must go to a thread.)"""

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple[GraphQLSchema, str, Rules], Checked] = OrderedDict()
        self.lock = threading.Lock()  # one loop per process, but tests run several

    def get(self, key: tuple[GraphQLSchema, str, Rules]) -> Checked | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple[GraphQLSchema, str, Rules], checked: Checked) -> None:
        with self.lock:
            self.entries[key] = checked
            if len(self.entries) > CACHED_DOCUMENTS:
                self.entries.popitem(last=False)


_recent = _Recent()


async def checked(schema: GraphQLSchema, query: str, rules: Rules) -> Checked:
    """The document, its shape and its validation errors; a syntax error is raised."""
    key = (schema, query, rules)
    found = _recent.get(key)
    if found is not None:
        return found
    call = contextvars.copy_context().run
    future = asyncio.wrap_future(_checking.submit(call, check, schema, query, rules))
    try:
        found = await asyncio.wait_for(future, CHECK_BUDGET_SECONDS)
    except TimeoutError:
        message = (
            f"The document took more than {CHECK_BUDGET_SECONDS:g} s to check: send a smaller one."
        )
        raise refused(message) from None
    _recent.put(key, found)
    return found


@lru_cache(maxsize=CACHED_DOCUMENTS)
def query_cost(
    schema: GraphQLSchema,
    found: Checked,
    operation_name: str | None,
    pages: tuple[int | None, ...],
) -> int:
    return cost(schema, found.document, found.shape, operation_name, pages)
