"""The schema is an artefact: the committed schema.graphql is what the code serves, and
it holds every definition of the shared contract with the same types."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
)

from api.schema import schema_sdl

REPO = Path(__file__).parents[2]
CONTRACT = REPO / ".." / "shared" / "contract.graphql"


def test_committed_schema_is_what_the_code_serves() -> None:
    committed = (REPO / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), (
        "schema.graphql is stale: run `introductions export-schema > schema.graphql`"
    )


def _definitions(schema: GraphQLSchema) -> dict[str, object]:
    return {n: t for n, t in schema.type_map.items() if not n.startswith("__")}


def test_every_contract_definition_is_served_with_the_same_type() -> None:
    if not CONTRACT.exists():
        pytest.skip(f"no contract at {CONTRACT.resolve()}: the shared folder is absent")
    contract = build_schema(CONTRACT.read_text(encoding="utf-8"))
    served = build_schema(schema_sdl())
    ours = _definitions(served)
    missing: list[str] = []
    for name, wanted in _definitions(contract).items():
        have = ours.get(name)
        if have is None or type(have) is not type(wanted):
            missing.append(f"type {name}")
            continue
        if isinstance(wanted, GraphQLEnumType):
            assert isinstance(have, GraphQLEnumType)
            missing += [f"{name}.{v}" for v in wanted.values if v not in have.values]
        elif isinstance(wanted, (GraphQLObjectType, GraphQLInterfaceType)):
            assert isinstance(have, (GraphQLObjectType, GraphQLInterfaceType))
            for fname, f in wanted.fields.items():
                g = have.fields.get(fname)
                if g is None or str(g.type) != str(f.type):
                    missing.append(f"{name}.{fname}: {f.type}")
                    continue
                for aname, a in f.args.items():
                    b = g.args.get(aname)
                    if b is None or str(b.type) != str(a.type):
                        missing.append(f"{name}.{fname}({aname}: {a.type})")
                    elif a.default_value is not None and b.default_value != a.default_value:
                        missing.append(f"{name}.{fname}({aname} = {a.default_value})")
        elif isinstance(wanted, GraphQLInputObjectType):
            assert isinstance(have, GraphQLInputObjectType)
            for fname, f in wanted.fields.items():
                g = have.fields.get(fname)
                if g is None or str(g.type) != str(f.type):
                    missing.append(f"{name}.{fname}: {f.type}")
                elif f.default_value is not None and g.default_value != f.default_value:
                    missing.append(f"{name}.{fname} = {f.default_value}")
        else:
            assert isinstance(wanted, GraphQLScalarType)
    for root in ("query_type", "mutation_type", "subscription_type"):
        assert (getattr(contract, root) is None) or getattr(served, root) is not None
    assert missing == [], f"the served schema lacks or changes: {missing}"
