"""Prometheus metrics of the dispatcher, in the default registry (the API's /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

ATTEMPTS = Counter(
    "introductions_webhook_attempts_total",
    "Delivery attempts, by outcome: succeeded, retrying (will be retried), failed (final).",
    ["outcome"],
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
