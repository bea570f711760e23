"""Dispatcher settings from the environment (config.Settings), each failing with one line
naming its variable."""

from __future__ import annotations

import re
from dataclasses import dataclass

from config import DEFAULT_SCHEDULE, PREFIX, Settings
from domain.errors import ConfigurationError

SCHEDULE_VARIABLE = f"{PREFIX}WEBHOOK_RETRY_SCHEDULE"
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
        settings = Settings.read(environ)
        return cls(
            timeout_seconds=settings.webhook_timeout_seconds,
            retry_schedule=parse_schedule(settings.webhook_retry_schedule),
            concurrency=settings.webhook_concurrency,
            poll_seconds=settings.webhook_poll_seconds,
            allow_private=settings.webhook_allow_private,
            proxy=settings.webhook_proxy,
        )
