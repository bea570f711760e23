"""The per-request (or per-websocket) context: who is calling, the services, the
request id and this request's DataLoaders."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode
from strawberry.fastapi import BaseContext

from api.errors import UNAUTHENTICATED, error_with_code

if TYPE_CHECKING:
    import strawberry

    from api.schema.loaders import Loaders
    from api.services import Services


class Context(BaseContext):
    def __init__(self, services: Services, actor_id: str | None, request_id: str) -> None:
        super().__init__()
        self.services = services
        self.actor_id = actor_id
        self.request_id = request_id
        # The bearer token; a websocket's is checked again while it is open (api.sockets).
        self.token: str | None = None

    @cached_property
    def loaders(self) -> Loaders:
        # Made when first asked for: most requests need none of them.
        from api.schema.loaders import Loaders

        return Loaders(self.services, lambda: self.actor_id)

    def require_actor(self) -> str:
        if self.actor_id is None:
            raise error_with_code(
                "Authentication required: send Authorization: Bearer <token>.", UNAUTHENTICATED
            )
        return self.actor_id


def info_context(info: strawberry.Info[Any, Any]) -> Context:
    context = info.context
    assert isinstance(context, Context)
    return context


def selects(info: strawberry.Info[Any, Any], name: str) -> bool:
    """Whether the client selected the field `name` directly under the field being
    resolved (through fragments too). Each fragment is looked into once, so this is
    linear in the document however often its fragments spread each other (strawberry's
    `info.selected_fields` expands every spread: exponential)."""
    raw = info._raw_info  # strawberry offers the field's nodes and fragments only expanded
    seen: set[str] = set()
    stack = [node.selection_set for node in raw.field_nodes if node.selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == name:
                    return True
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = raw.fragments.get(selection.name.value)
                if fragment is not None:
                    stack.append(fragment.selection_set)
    return False
