"""Event data as every client sees it (GraphQL history and subscriptions, webhooks,
`history --json`): camelCase keys, JSON values. Stored events keep their Python field
names, which their chain hashes cover."""

from __future__ import annotations

import json
from typing import Any

from domain.chain import canonical_json
from domain.personal import opened_data


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel(str(k)): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def client_data(data: dict[str, Any]) -> dict[str, Any]:
    """An event's own fields (`chain.event_data`) as clients see them, sealed ones opened
    (an erased one null, beside `erased: true`)."""
    converted: dict[str, Any] = _camel_keys(json.loads(canonical_json(opened_data(data))))
    return converted
