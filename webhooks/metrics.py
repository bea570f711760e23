"""Prometheus metrics of the dispatcher, in the default registry (the API's /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DELIVERIES = Counter(
    "introductions_webhook_deliveries_total",
    "Deliveries that reached a final outcome: succeeded (2xx) or failed (last attempt "
    "failed, or 410 Gone).",
    ["outcome"],
)
RETRIES = Counter(
    "introductions_webhook_retries_total",
    "Failed attempts that were scheduled to be tried again.",
)
ATTEMPT_SECONDS = Histogram(
    "introductions_webhook_attempt_seconds",
    "Duration of one delivery attempt (request sent to response status, or error).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BACKLOG = Gauge(
    "introductions_webhook_backlog",
    "Deliveries pending (due now or later) to active endpoints.",
)
