"""The FastAPI application: GraphQL at /graphql (POST operations, GET GraphiQL,
graphql-transport-ws subscriptions), the web app at /, and /healthz, /readyz, /metrics
for operators."""

from __future__ import annotations

import gc
import json
import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from cross_web import HTTPException
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import HTTPConnection
from starlette.staticfiles import StaticFiles
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from api import metrics, outage
from api.auth import (
    admin_token_digests,
    authorization_header,
    bearer_token,
    token_cache_from_environment,
)
from api.background import background
from api.feed import EventFeed
from api.graphql_http import GraphQLResponseMediaType, MutationOverGet
from api.graphql_post import GraphQLPostFastPath
from api.lease_status import lease_status, measure_lease
from api.observability import BodyLimitMiddleware, RequestContextMiddleware, configure_logging
from api.outage import guard_storage, is_unavailable
from api.rate_limit import RateLimit
from api.schema import build_schema, operation_type
from api.schema.context import Context
from api.security import (
    install_edge_protection,
    metrics_refusal,
    require_production_admin_tokens,
)
from api.services import Services, in_thread, in_waiting_thread
from api.settings import EdgeSettings, edge_settings
from api.sockets import IntroductionsSocket
from api.webapp import install_web_app
from projections.own_writes import OwnWrites
from projections.read_models import ReadModels
from storage.bootstrap import expire_after_from_environment, open_application
from storage.database import Storage, storage_from_environment
from storage.sqlite import checkpointing_in_background
from webhooks.control import WebhookControl

log = logging.getLogger("introductions.api")
SERVE_LOG_LEVEL_VARIABLE = "INTRODUCTIONS_SERVE_LOG_LEVEL"  # set by serve for its workers
READY_TIMEOUT_SECONDS = 2.0
GC_FIRST_GENERATION = 10_000  # allocations between collections; Python's default is 700


def tune_garbage_collector() -> None:
    """What start-up built (the schema, the application) lives as long as the process:
    frozen, the collector no longer walks it on every full collection. A request
    allocates thousands of short-lived objects (GraphQL's execution): a larger first
    generation collects them in fewer, equally cheap passes."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_FIRST_GENERATION, *gc.get_threshold()[1:])


def build_services(storage: Storage | None = None) -> Services:
    storage = storage or storage_from_environment()
    production = edge_settings().production
    if production:
        require_production_admin_tokens(storage, dict(os.environ))
    app = open_application(storage)
    read_models = ReadModels(storage)
    services = Services(
        storage=storage,
        app=app,
        read_models=read_models,
        admin_token_digests=admin_token_digests(storage),
        known_tokens=token_cache_from_environment(),
        feed=EventFeed(app),
        webhooks=WebhookControl(app, storage),
        read_your_writes_timeout=edge_settings().read_your_writes_timeout,
        positions_need_a_token=production,
    )
    guard_storage(app.factory, read_models.views.factory)
    services.closers.append(app.close)
    services.closers.append(services.webhooks.close)
    services.closers.append(read_models.close)
    return services


class NestedTooDeeply(json.JSONDecodeError):
    """JSON past the parser's recursion limit: bad JSON as far as the client is concerned
    (a websocket message closes its socket with 4400, as for any bad JSON)."""

    def __init__(self) -> None:
        super().__init__("The JSON is nested too deeply.", "", 0)


GRAPHIQL = Path(__file__).parent / "graphiql"  # its page and vendored assets (VENDORED.md)


class IntroductionsRouter(GraphQLRouter[Context, None]):
    graphql_transport_ws_handler_class = IntroductionsSocket

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except RecursionError:
            raise NestedTooDeeply from None

    @property
    def graphql_ide_html(self) -> str:
        # strawberry's page loads React and GraphiQL from a CDN; this one, from /graphiql.
        return (GRAPHIQL / "index.html").read_text(encoding="utf-8")

    def parse_json(self, data: str | bytes) -> Any:
        # strawberry assumes a JSON object and crashes (500) on `"a string"` or `12`;
        # anything but an object is the client's mistake. (No batching: no lists.)
        try:
            parsed = super().parse_json(data)
        except UnicodeDecodeError:
            parsed = None
        except HTTPException as e:
            if isinstance(e.__cause__, NestedTooDeeply):
                raise HTTPException(400, "The request body is nested too deeply.") from None
            raise
        if not isinstance(parsed, dict):
            raise HTTPException(400, "The request body must be a JSON object.")
        return parsed

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        except MutationOverGet as e:
            return e.response()

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: Any,
    ) -> Any:
        if request_adapter.method == "GET" and (
            operation_type(request_data.query, request_data.operation_name)
            == OperationType.MUTATION
        ):
            raise MutationOverGet
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def on_ws_connect(self, context: Context) -> Any:
        """Websockets authenticate in connection_init: {"authorization": "Bearer <token>"}
        (or in the handshake's Authorization header); api.sockets keeps checking it."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("authorization") or params.get("Authorization")
        if header is not None:
            token = bearer_token(str(header))
            services = context.services
            context.actor_id = await services.actor_of(token)
            context.token = token
        if context.actor_id is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        return None


def create_app(
    services: Services | None = None,
    *,
    run_projections: bool | None = None,
    settings: EdgeSettings | None = None,
) -> FastAPI:
    """`run_projections`: whether this process competes for the background lease
    (api.background); by default unless INTRODUCTIONS_BACKGROUND=0 (serve --no-background)."""
    settings = settings or edge_settings()
    if run_projections is None:
        run_projections = settings.background
    if services is None:
        # On SQLite, replies commit under locks that all later replies queue on.
        services = build_services(checkpointing_in_background(storage_from_environment()))
    own_writes = OwnWrites(services.storage, writer=services.app)
    work = background(services.storage, expire_after=expire_after_from_environment())
    services.background, services.competes_for_lease = work, run_projections

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await in_thread(own_writes.start)  # before the lease's runner, which shares it
        if run_projections:
            work.start()
        tune_garbage_collector()
        try:
            yield
        finally:
            await services.feed.stop()
            await services.sockets.stop()
            if run_projections:
                await in_thread(work.stop)
            await in_thread(own_writes.stop)
            services.close()

    async def context_getter(connection: HTTPConnection) -> Context:
        request_id = getattr(connection.state, "request_id", None) or uuid.uuid4().hex
        token = bearer_token(authorization_header(connection.scope["headers"]))
        try:
            actor = await services.actor_of(token)
        except Exception as e:
            if not is_unavailable(e):
                raise
            log.warning("database unreachable: %s", e)
            raise outage.StorageUnavailable(outage.MESSAGE) from e
        context = Context(services, actor, request_id)
        context.token = token
        return context

    router = IntroductionsRouter(
        build_schema(introspection=not settings.production, max_cost=settings.max_query_cost),
        context_getter=context_getter,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        # Browsers apply no CORS to websockets: the same origins as CORS may open one
        # (same-origin pages always may; clients sending no Origin are not browsers).
        allowed_origins=settings.allowed_origins,
        allow_queries_via_get=True,  # queries only: a mutation by GET is 405
        graphql_ide=None if settings.production else "graphiql",
    )
    app = FastAPI(
        title="Introductions",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None if settings.production else "/openapi.json",
    )
    app.include_router(router, prefix="/graphql")
    if not settings.production:
        app.mount("/graphiql", StaticFiles(directory=GRAPHIQL), name="graphiql")
    app.state.services = services
    app.add_exception_handler(outage.StorageUnavailable, outage.unavailable_response)
    install_web_app(app)

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        try:
            shown = await services.shows_positions(request.headers.get("authorization"))
            position = await in_thread(services.app.recorder.max_notification_id) or 0
            views = services.read_models
            caught_up = await in_waiting_thread(views.wait_for, position, READY_TIMEOUT_SECONDS)
            behind = 0 if caught_up else max(0, position - await in_thread(views.position))
            lease = await lease_status(services)
        except Exception as e:
            if not is_unavailable(e):
                log.exception("readyz: storage unreachable")
            body = {"ok": False, "storage": "unreachable"}
            return JSONResponse(body, status_code=503, headers=outage.headers())
        ok = bool(caught_up) and lease["holder"] is not None
        body = {
            "ok": ok,
            "storage": "reachable",
            **({"position": position, "behind": behind} if shown else {}),
            "projections": "caught up" if caught_up else "behind",
            # Who holds the lease, as the positions, only for a caller who may see them.
            **({"background": lease} if shown or lease["holder"] is None else {}),
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics")
    async def metrics_endpoint(request: Request) -> Response:
        refused = metrics_refusal(settings, request.headers.get("authorization"))
        if refused is not None:
            return refused
        try:
            position = await in_thread(services.app.recorder.max_notification_id) or 0
            metrics.LAST_POSITION.set(position)
            projected = await in_thread(services.read_models.position)
            metrics.PROJECTION_LAG.set(max(0, position - projected))
            await measure_lease(services)
        except Exception:
            log.exception("metrics: could not measure the projection lag")
        return PlainTextResponse(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(GraphQLPostFastPath, router=router, context_getter=context_getter)
    app.add_middleware(GraphQLResponseMediaType)
    app.add_middleware(BodyLimitMiddleware)
    if settings.rate is not None:
        services.rate_limit = RateLimit(settings.rate, services.actor_of)
    install_edge_protection(app, settings, services.rate_limit)
    app.add_middleware(RequestContextMiddleware)
    return app


def create_app_from_environment() -> FastAPI:
    """The factory uvicorn imports in each worker process."""
    level = os.environ.get(SERVE_LOG_LEVEL_VARIABLE)
    if level and not logging.getLogger().handlers:  # a worker process spawned by uvicorn
        configure_logging(level)
    return create_app()
