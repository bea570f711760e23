"""Dispatcher settings from the environment, each failing with one line naming its
variable."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from domain.errors import ConfigurationError
from domain.settings import positive_number
from domain.webhook import private_allowed

TIMEOUT_VARIABLE = "INTRODUCTIONS_WEBHOOK_TIMEOUT_SECONDS"
SCHEDULE_VARIABLE = "INTRODUCTIONS_WEBHOOK_RETRY_SCHEDULE"
CONCURRENCY_VARIABLE = "INTRODUCTIONS_WEBHOOK_CONCURRENCY"
POLL_VARIABLE = "INTRODUCTIONS_WEBHOOK_POLL_SECONDS"
PROXY_VARIABLE = "INTRODUCTIONS_WEBHOOK_PROXY"
DEFAULT_SCHEDULE = "5s,5m,30m,2h,5h,10h,10h"
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "": 1.0}
_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|)\s*$")


def parse_schedule(raw: str) -> tuple[float, ...]:
    """'5s,5m,2h' -> (5.0, 300.0, 7200.0): the waits before each retry, in seconds."""
    delays = []
    for part in raw.split(","):
        match = _DELAY.match(part)
        if match is None:
            msg = (
                f"{SCHEDULE_VARIABLE}={raw!r}: {part.strip()!r} is not a delay such as "
                "500ms, 5s, 5m, 2h or 1d"
            )
            raise ConfigurationError(msg)
        delays.append(float(match.group(1)) * _UNITS[match.group(2)])
    return tuple(delays)


@dataclass(frozen=True)
class DispatcherSettings:
    timeout_seconds: float = 10.0  # per attempt
    retry_schedule: tuple[float, ...] = parse_schedule(DEFAULT_SCHEDULE)
    concurrency: int = 64  # attempts in flight, and the HTTP connection pool's size
    poll_seconds: float = 0.1  # how often the log and the due retries are looked at
    allow_private: bool = False
    jitter: float = 0.1  # each retry delay is scaled by a random factor in 1 ± jitter
    batch_size: int = 500  # log entries read per transaction
    proxy: str | None = None  # deliveries go through it; HTTPS_PROXY and the like are ignored

    @property
    def max_attempts(self) -> int:
        return 1 + len(self.retry_schedule)

    @property
    def lease_seconds(self) -> float:
        # A claimed delivery is someone else's to retry only once its sender must have
        # given up: after the timeout, with a margin for recording the result. It is
        # also how long a crashed dispatcher's claims wait before another sends them.
        return self.timeout_seconds * 2 + 1.0

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> DispatcherSettings:
        environ = dict(os.environ) if environ is None else environ
        return cls(
            timeout_seconds=positive_number(environ, TIMEOUT_VARIABLE, 10.0),
            retry_schedule=parse_schedule(environ.get(SCHEDULE_VARIABLE) or DEFAULT_SCHEDULE),
            concurrency=int(positive_number(environ, CONCURRENCY_VARIABLE, 64)),
            poll_seconds=positive_number(environ, POLL_VARIABLE, 0.1),
            allow_private=private_allowed(environ),
            proxy=environ.get(PROXY_VARIABLE) or None,
        )
