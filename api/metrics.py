"""Prometheus metrics of the API, exposed at GET /metrics.

With several worker processes, `serve` sets PROMETHEUS_MULTIPROC_DIR before they start,
so each process writes its values there and any of them answers /metrics for all."""

from __future__ import annotations

import os

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "introductions_http_requests_total",
    "HTTP requests, by method, route and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "introductions_http_request_duration_seconds",
    "HTTP request latency, by method and route.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
ERRORS = Counter(
    "introductions_graphql_errors_total",
    "GraphQL errors returned, by code (top-level errors and mutation errors-as-data).",
    ["code"],
    registry=REGISTRY,
)
PROJECTION_LAG = Gauge(
    "introductions_projection_lag_events",
    "Events recorded but not yet in the read models (measured when scraped).",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)
LAST_POSITION = Gauge(
    "introductions_event_log_position",
    "The last position of the event log (measured when scraped).",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)


def exposition() -> bytes:
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    # The default registry holds what other parts running in this process record (the
    # embedded webhook dispatcher's deliveries and backlog; process and GC figures).
    return generate_latest(REGISTRY) + generate_latest(prometheus_client.REGISTRY)


LEASE_HOLDER_PID = Gauge(
    "introductions_background_lease_holder_pid",
    "The process id of the background lease's holder, 0 if none (measured when scraped; "
    "/readyz names its host).",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)
LEASE_HELD = Gauge(
    "introductions_background_lease_held",
    "1 in the process that holds the background lease and runs the background work.",
    registry=REGISTRY,
    multiprocess_mode="liveall",
)
