"""The per-request (or per-websocket) context: who is calling, the services, the
request id and this request's DataLoaders."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from strawberry.fastapi import BaseContext
from strawberry.types.nodes import SelectedField, Selection

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
    resolved (through fragments too)."""

    def walk(selections: list[Selection]) -> bool:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name == name:
                    return True
            elif walk(selection.selections):
                return True
        return False

    return any(walk(field.selections) for field in info.selected_fields)
