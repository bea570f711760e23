"""The framework floor: strawberry on FastAPI doing no work, configured as fast as
strawberry documents (its `ParserCache` and `ValidationCache` extensions; validation
itself stays on, as the service validates every request), under uvicorn started as
`serve` starts it. Its fields have the shapes of the measured requests: the
`introducerReputation` query's selection and `recordReply`'s payload, answering
constants, so a ratio to it measures the service's own work alone.

    python -m bench.framework_floor PORT [--cacheless]

--cacheless leaves the extensions out: the floor of earlier runs, shown beside."""

from __future__ import annotations

import enum
import sys
from typing import Any

import strawberry


@strawberry.type
class Person:
    display_name: str


@strawberry.type
class IntroducerReputation:
    score: float
    ranking_score: float
    proposed: int
    introducer: Person


@strawberry.type
class Introduction:
    version: int


@strawberry.enum
class ErrorCode(enum.Enum):
    CONCURRENCY_CONFLICT = "CONCURRENCY_CONFLICT"


@strawberry.type
class MutationError:
    code: ErrorCode


@strawberry.type
class IntroductionPayload:
    introduction: Introduction | None
    errors: list[MutationError]


REPUTATION = IntroducerReputation(
    score=0.5, ranking_score=0.5, proposed=32, introducer=Person(display_name="Jason")
)
PAYLOAD = IntroductionPayload(introduction=Introduction(version=4), errors=[])


@strawberry.type
class Query:
    @strawberry.field
    def introducer_reputation(self, introducer_id: strawberry.ID) -> IntroducerReputation:
        return REPUTATION


@strawberry.type
class Mutation:
    @strawberry.mutation
    def record_reply(self, id: strawberry.ID, message: str | None = None) -> IntroductionPayload:
        return PAYLOAD


def app(*, cached: bool = True) -> Any:
    from fastapi import FastAPI
    from strawberry.extensions import ParserCache, ValidationCache
    from strawberry.fastapi import GraphQLRouter

    # As strawberry documents them: classes, each with its shared, bounded LRU cache.
    extensions: list[Any] = [ParserCache, ValidationCache] if cached else []
    schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)
    floor = FastAPI()
    floor.include_router(GraphQLRouter(schema), prefix="/graphql")
    return floor


def main(argv: list[str]) -> None:
    import uvicorn

    # serve's uvicorn settings (api/commands/serve_cmds.py): the same loop and HTTP
    # parser ("auto": uvloop and httptools when installed), no access log.
    uvicorn.run(
        app(cached="--cacheless" not in argv),
        host="127.0.0.1",
        port=int(argv[0]),
        log_config=None,
        log_level="warning",
        access_log=False,
        loop="auto",
        http="auto",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
