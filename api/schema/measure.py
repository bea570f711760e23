"""What a document asks for, measured before any other rule looks at it: its fragments
and spreads (bounded), its depth, aliases and top-level fields, and its cost.

Every walk is linear in the document's text: each fragment is measured once and its
result reused wherever it is spread, so a document whose fragments spread each other
exponentially often costs no more to measure than to read. (strawberry's depth and
alias limiters walk every spread again, which is what made such a document freeze the
event loop.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
)

from api.errors import BAD_USER_INPUT, ClientError

MAX_FRAGMENTS = 50  # spreads, and definitions, in the text: a generated client uses a dozen
MAX_DEPTH = 10
MAX_ALIASES = 30
ASSUMED_LIST_LENGTH = 10  # a list without `first`: history, consentedBy, webhooks
MAX_PAGE = 100  # `first` is capped at 100 (api.schema.queries.MAX_FIRST)
PAGE_ARGUMENTS = ("first", "last")

T = TypeVar("T")


def refused(message: str, **extensions: Any) -> ClientError:
    return ClientError(message, extensions={"code": BAD_USER_INPUT, **extensions})


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _walk(selection_set: SelectionSetNode | None) -> Iterator[FieldNode | FragmentSpreadNode]:
    """Every field and spread of one definition, without recursion."""
    stack = [selection_set] if selection_set else []
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode | FragmentSpreadNode):
                yield selection
            inner = getattr(selection, "selection_set", None)
            if inner is not None:
                stack.append(inner)


def _dependency_order(
    fragments: Mapping[str, FragmentDefinitionNode], spread: Mapping[str, list[str]]
) -> list[str]:
    """The fragments, each after those it spreads (a cycle is cut where it closes)."""
    order: list[str] = []
    done: set[str] = set()
    for root in fragments:
        path = [(root, iter(spread[root]))]
        on_path = {root}
        while path and root not in done:
            name, names = path[-1]
            following = next((n for n in names if n in fragments and n not in done), None)
            if following is None:
                path.pop()
                on_path.discard(name)
                done.add(name)
                order.append(name)
            elif following not in on_path:
                path.append((following, iter(spread[following])))
                on_path.add(following)
    return order


class _Memo(Generic[T]):
    """Each fragment's result, computed once, dependencies first, so that measuring a
    spread is a look-up and no walk recurses from one fragment into another. A spread
    that closes a cycle counts as nothing: validation reports the cycle."""

    def __init__(self, empty: T) -> None:
        self.results: dict[str, T] = {}
        self.empty = empty

    def fill(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        order: tuple[str, ...],
        compute: Callable[[FragmentDefinitionNode], T],
    ) -> None:
        for name in order:
            self.results[name] = compute(fragments[name])

    def __getitem__(self, name: str) -> T:
        return self.results.get(name, self.empty)


@dataclass(frozen=True)
class Shape:
    """What the later rules, the authentication gate and the cost need of a document."""

    errors: list[GraphQLError]
    top_level_fields: dict[str | None, frozenset[str]]  # by operation name
    page_variables: tuple[str, ...]  # the variables given to `first`/`last`
    order: tuple[str, ...]  # the fragments, each after those it spreads


@dataclass(frozen=True)
class _Measures:
    depth: int
    aliases: int
    top_level: frozenset[str]


_NOTHING = _Measures(0, 0, frozenset())


def shape(document: DocumentNode) -> Shape:
    """The fragments, then the depth, then the aliases: the first limit exceeded is the
    only error (and no other rule should then run)."""
    fragments = _fragments(document)
    spread: dict[str, list[str]] = {name: [] for name in fragments}
    spreads = 0
    page_variables: dict[str, None] = {}
    for definition in document.definitions:
        selection_set = getattr(definition, "selection_set", None)
        for node in _walk(selection_set):
            if isinstance(node, FragmentSpreadNode):
                spreads += 1
                if isinstance(definition, FragmentDefinitionNode):
                    spread[definition.name.value].append(node.name.value)
                continue
            for argument in node.arguments or ():
                value = argument.value
                if argument.name.value in PAGE_ARGUMENTS and isinstance(value, VariableNode):
                    page_variables[value.name.value] = None
    if max(spreads, len(fragments)) > MAX_FRAGMENTS:
        message = (
            f"The document defines {len(fragments)} fragments and spreads them {spreads} "
            f"times; the limit is {MAX_FRAGMENTS} of each."
        )
        return Shape([refused(message)], {}, (), ())
    order = tuple(_dependency_order(fragments, spread))

    def measure(selection_set: SelectionSetNode | None, level: int) -> _Measures:
        depth = aliases = 0
        top: set[str] = set()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                name = selection.name.value
                top.add(name)
                aliases += selection.alias is not None
                if selection.selection_set is None or name.startswith("__"):
                    continue  # introspection is not counted, as by strawberry's limiter
                if level >= MAX_DEPTH:  # too deep already: no need to look further down
                    depth = max(depth, MAX_DEPTH + 1)
                    continue
                inner = measure(selection.selection_set, level + 1)
                depth = max(depth, 1 + inner.depth)
                aliases += inner.aliases
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = measure(selection.selection_set, level)
            else:
                assert isinstance(selection, FragmentSpreadNode)
                inner = measured[selection.name.value]
            depth = max(depth, inner.depth)
            aliases += inner.aliases
            top |= inner.top_level
        return _Measures(depth, aliases, frozenset(top))

    measured = _Memo(_NOTHING)
    measured.fill(fragments, order, lambda f: measure(f.selection_set, 0))
    operations = {
        op.name.value if op.name else None: measure(op.selection_set, 0)
        for op in document.definitions
        if isinstance(op, OperationDefinitionNode)
    }
    deepest = max((m.depth for m in operations.values()), default=0)
    aliases = sum(m.aliases for m in operations.values())
    errors: list[GraphQLError] = []
    if deepest > MAX_DEPTH:
        errors.append(refused(f"The query is deeper than the depth limit of {MAX_DEPTH}."))
    elif aliases > MAX_ALIASES:
        errors.append(refused(f"The document has {aliases} aliases; the limit is {MAX_ALIASES}."))
    top_level = {name: m.top_level for name, m in operations.items()}
    return Shape(errors, top_level, tuple(page_variables), order)


def page_values(shape: Shape, variables: Mapping[str, Any] | None) -> tuple[int | None, ...]:
    """The values of the variables the cost depends on (a key for caching it)."""
    variables = variables or {}
    return tuple(
        value if isinstance(value := variables.get(name), int) else None
        for name in shape.page_variables
    )


@dataclass(frozen=True)
class Cost:
    """A selection's cost: `fixed`, plus `per_page` for each item of the page of the
    connection it is selected on (the edges under a connection's `first`)."""

    fixed: int
    per_page: int

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.fixed + other.fixed, self.per_page + other.per_page)


def cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    shape: Shape,
    operation_name: str | None,
    pages: tuple[int | None, ...],
) -> int:
    """An upper bound on the number of fields the answer holds, for a valid document.
    Each field counts 1; a list of objects counts its fields once per item: `first`
    items (at most 100; for a connection, under its `edges`), or ASSUMED_LIST_LENGTH
    for a list without `first`."""
    variables = dict(zip(shape.page_variables, pages, strict=True))
    defaults = {
        d.variable.name.value: d.default_value.value
        for op in document.definitions
        if isinstance(op, OperationDefinitionNode)
        for d in op.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }

    def page(field: FieldNode, definition: Any) -> int | None:
        """The field's `first` (or `last`) as the resolver will see it; None without."""
        for name in PAGE_ARGUMENTS:
            if name not in definition.args:
                continue
            given = next((a.value for a in field.arguments or () if a.name.value == name), None)
            value: Any = definition.args[name].default_value
            if isinstance(given, IntValueNode):
                value = int(given.value)
            elif isinstance(given, VariableNode):
                variable = given.name.value
                found = variables.get(variable)
                value = found if found is not None else int(defaults.get(variable, value or 0))
            return max(0, min(int(value or 0), MAX_PAGE))
        return None

    def measure(selection_set: SelectionSetNode | None, parent: GraphQLNamedType) -> Cost:
        total = Cost(0, 0)
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FragmentSpreadNode):
                total += measured[selection.name.value]
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner_type = schema.get_type(condition.name.value) if condition else parent
                total += measure(selection.selection_set, inner_type or parent)
                continue
            assert isinstance(selection, FieldNode)
            fields = getattr(parent, "fields", {})
            definition = fields.get(selection.name.value)
            if definition is None or selection.selection_set is None:
                total += Cost(1, 0)  # a scalar, __typename, or a field validation refused
                continue
            inner = measure(selection.selection_set, get_named_type(definition.type))
            items = page(selection, definition)
            listed = isinstance(get_nullable_type(definition.type), GraphQLList)
            if listed and parent.name.endswith("Connection"):
                total += Cost(0, 1 + inner.fixed)  # edges: as many as the connection's page
            elif listed:
                count = items if items is not None else ASSUMED_LIST_LENGTH
                total += Cost(count * (1 + inner.fixed), 0)
            else:
                total += Cost(1 + inner.fixed + inner.per_page * (items or 0), 0)
        return total

    def fragment_cost(fragment: FragmentDefinitionNode) -> Cost:
        named = schema.get_type(fragment.type_condition.name.value)
        return measure(fragment.selection_set, named) if named else Cost(0, 0)

    measured = _Memo(Cost(0, 0))
    measured.fill(_fragments(document), shape.order, fragment_cost)
    roots = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }
    costs = [
        measure(op.selection_set, root).fixed
        for op in document.definitions
        if isinstance(op, OperationDefinitionNode)
        and (operation_name is None or (op.name is not None and op.name.value == operation_name))
        and (root := roots[op.operation.value]) is not None
    ]
    return max(costs, default=0)
