"""The framework floor: a minimal strawberry-on-FastAPI app doing no work (one async
field, no extensions, no storage), under the same uvicorn as `serve`.

    python -m bench.framework_floor PORT"""

from __future__ import annotations

import sys
from typing import Any


def app() -> Any:
    import strawberry
    from fastapi import FastAPI
    from strawberry.fastapi import GraphQLRouter

    @strawberry.type
    class Query:
        @strawberry.field
        async def hello(self) -> str:
            return "world"

    floor = FastAPI()
    floor.include_router(GraphQLRouter(strawberry.Schema(query=Query)), prefix="/graphql")
    return floor


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app(), port=int(sys.argv[1]), log_level="warning", access_log=False)
