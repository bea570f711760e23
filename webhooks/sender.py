"""One delivery attempt over HTTP, and what follows from its outcome."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from domain.webhook import refusal_of_addresses, url_host_port
from webhooks import metrics
from webhooks.config import DispatcherSettings
from webhooks.records import AttemptResult, Delivery, DeliveryStatus, EndpointRow
from webhooks.transport import refused, resolve
from webhooks.wire import attempt_headers

RETRY_AFTER_CAP_SECONDS = 24 * 3600.0  # a receiver may not park a delivery forever
ERROR_MAX = 500


@dataclass(frozen=True)
class Response:
    status_code: int | None
    error: str | None
    retry_after: float | None  # seconds, from a Retry-After header


def parse_retry_after(raw: str | None, now: float) -> float | None:
    if not raw:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return min(float(raw), RETRY_AFTER_CAP_SECONDS)
    try:
        when = parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError):
        return None
    return min(max(0.0, when - now), RETRY_AFTER_CAP_SECONDS)


async def checked_before_proxy(url: str) -> str | None:
    """Why a URL may not be called through the proxy, or None. The proxy resolves the name
    again itself, so this check is the best that can be done there; without a proxy the
    transport checks the address it connects to (webhooks/transport.py)."""
    host, port = url_host_port(url)
    try:
        addresses = await resolve(host, port)
    except OSError as e:
        return f"the host {host!r} cannot be resolved ({e})"
    return refusal_of_addresses(host, addresses)


async def post(
    client: httpx.AsyncClient,
    delivery: Delivery,
    endpoint: EndpointRow,
    settings: DispatcherSettings,
) -> Response:
    if settings.proxy is not None and not settings.allow_private:
        why = await checked_before_proxy(endpoint.url)
        if why is not None:
            return Response(None, f"refused: {why}", None)
    now = time.time()
    headers = attempt_headers(
        delivery.event_id, int(now), delivery.body, endpoint.signing_secrets(now)
    )
    started = time.perf_counter()
    try:
        # httpx's timeout bounds each phase (connect, write, read) on its own; the
        # attempt as a whole gets the same bound, so that a lease always outlives it.
        async with (
            asyncio.timeout(settings.timeout_seconds),
            # Streamed so that a huge response body is never read: only the status matters.
            client.stream(
                "POST",
                endpoint.url,
                content=delivery.body.encode("utf-8"),
                headers=headers,
                timeout=settings.timeout_seconds,
            ) as response,
        ):
            return Response(
                response.status_code,
                None if response.is_success else f"HTTP {response.status_code}",
                parse_retry_after(response.headers.get("retry-after"), time.time()),
            )
    except (httpx.TimeoutException, TimeoutError):
        return Response(None, f"timed out after {settings.timeout_seconds:g}s", None)
    except httpx.HTTPError as e:
        why = refused(e)
        if why is not None:
            return Response(None, why, None)
        host = urlsplit(endpoint.url).hostname
        return Response(None, f"{type(e).__name__} calling {host}: {e}"[:ERROR_MAX], None)
    finally:
        metrics.ATTEMPT_SECONDS.observe(time.perf_counter() - started)


def outcome(
    delivery: Delivery, response: Response, settings: DispatcherSettings, now: float
) -> AttemptResult:
    code = response.status_code
    if code is not None and 200 <= code < 300:
        metrics.DELIVERIES.labels("succeeded").inc()
        return AttemptResult(delivery.id, DeliveryStatus.SUCCEEDED, code, None, None, now)
    round_attempts = delivery.round_attempts + 1
    if code == 410 or round_attempts >= settings.max_attempts:
        metrics.DELIVERIES.labels("failed").inc()
        return AttemptResult(delivery.id, DeliveryStatus.FAILED, code, response.error, None, now)
    delay = settings.retry_schedule[round_attempts - 1]
    delay *= 1 + random.uniform(-settings.jitter, settings.jitter)  # noqa: S311 (not crypto)
    if code in {429, 503} and response.retry_after is not None:
        delay = max(delay, response.retry_after)  # never earlier than the receiver asked
    metrics.RETRIES.inc()
    return AttemptResult(
        delivery.id, DeliveryStatus.PENDING, code, response.error, now + delay, now
    )
