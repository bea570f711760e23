"""Every INTRODUCTIONS_* variable, in one pydantic-settings class: its type, default and
meaning. The README's configuration table is made from it (`python -m config`, checked by
tests/deploy/test_configuration_table.py). A bad value stops the command with one line
naming the variable (a ConfigurationError, which pydantic lets through its validation)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Literal

from limits import RateLimitItem, parse
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from strawberry.http.websocket_origin import normalize_allowed_origins

from domain.errors import ConfigurationError

PREFIX = "INTRODUCTIONS_"
PRODUCTION_DEFAULT_RATE_LIMIT = "600/minute"
# About a page of 100 introductions with their parties and history (6,801), not two.
DEFAULT_MAX_QUERY_COST = 10_000
OFF = frozenset({"", "off", "none", "0"})
MAX_EXPIRE_AFTER_DAYS = 36_500  # a longer period overflows the dates it is added to
MAX_TOKEN_CACHE_SECONDS = 60.0
DEFAULT_SCHEDULE = "5s,5m,30m,2h,5h,10h,10h"


def positive_number(
    environ: dict[str, str],
    name: str,
    default: float,
    *,
    maximum: float = math.inf,
    unit: str = "",
) -> float:
    raw = environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 < value <= maximum or math.isinf(value):
        bound = "" if math.isinf(maximum) else f", at most {maximum:g}"
        msg = f"{name}={raw!r} must be a positive number{unit}{bound}"
        raise ConfigurationError(msg)
    return value


def shown(default: str) -> Any:
    """The default as the README shows it, where the value alone would not say it."""
    return {"shown_default": default}


def positive(field: str, *, unit: str = "", maximum: float = math.inf) -> Callable[[Any], float]:
    """A validator for a positive number, refusing anything else with the variable named."""

    def check(raw: Any) -> float:
        return positive_number({field: str(raw)}, field, math.nan, maximum=maximum, unit=unit)

    return check


# Fields that take a positive number, each with its bounds.
POSITIVE: dict[str, Callable[[Any], float]] = {
    "expire_after_days": positive(
        f"{PREFIX}EXPIRE_AFTER_DAYS", unit=" of days", maximum=MAX_EXPIRE_AFTER_DAYS
    ),
    "reputation_half_life_days": positive(f"{PREFIX}REPUTATION_HALF_LIFE_DAYS", unit=" of days"),
    "webhook_timeout_seconds": positive(f"{PREFIX}WEBHOOK_TIMEOUT_SECONDS"),
    "webhook_poll_seconds": positive(f"{PREFIX}WEBHOOK_POLL_SECONDS"),
    "webhook_concurrency": lambda raw: int(positive(f"{PREFIX}WEBHOOK_CONCURRENCY")(raw)),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", env_ignore_empty=True)

    database_url: str = Field(
        default="sqlite:///./introductions.db",
        description="where everything lives: `sqlite:///path/to/file.db` or "
        "`postgresql://user:pass@host:5432/db` (options: `?schema=name`, `connect_timeout`, "
        "`pool_size` (1: connections each pool keeps idle), `max_overflow` (14: more on "
        "demand); see [PostgreSQL connections](#postgresql-connections))",
    )
    admin_token: str | None = Field(
        default=None,
        description="the admin's bearer token",
        json_schema_extra=shown("generated into a file"),
    )
    admin_token_file: str | None = Field(
        default=None,
        description="where a generated admin token is kept (mode 0600)",
        json_schema_extra=shown("beside the database"),
    )
    admin_token_previous: str = Field(
        default="",
        description="during a rotation of the admin token, the old one, still accepted "
        "(see SECURITY.md)",
        json_schema_extra=shown("unset"),
    )
    token_cache_seconds: float = Field(
        default=5.0,
        description="how long a process trusts a person token it has checked; a revocation "
        "elsewhere takes effect within it (`0`: no cache)",
    )
    env: Literal["development", "production"] = Field(
        default="development",
        description="`production`: no GraphiQL, no introspection, no OpenAPI, `/metrics` only "
        "with `INTRODUCTIONS_METRICS_TOKEN`, log positions only for callers with a token, "
        "strict headers, a rate limit, and no start with a weak or generated admin token "
        "(the web app at `/` stays)",
    )
    metrics_token: str | None = Field(
        default=None,
        description="the bearer token `/metrics` asks for (Prometheus: `authorization: "
        "{credentials: …}`); unset: `/metrics` is open in development and not served in "
        "production",
        json_schema_extra=shown("unset"),
    )
    cors_origins: str = Field(
        default="",
        description="browser origins allowed to call `/graphql` and to open its websocket, "
        "comma-separated (each `scheme://host[:port]`); unset: no CORS, websockets from the "
        "service's own origin only",
        json_schema_extra=shown("unset"),
    )
    hsts_seconds: int = Field(
        default=0, description="`Strict-Transport-Security` max-age; set it only behind HTTPS"
    )
    rate_limit: str | None = Field(
        default=None,
        description="requests to `/graphql` (and operations on its websockets) per token, "
        "per client address for a request without a valid token, and per process, e.g. "
        "`120/minute`; `off` for none",
        json_schema_extra=shown(f"off; `{PRODUCTION_DEFAULT_RATE_LIMIT}` in production"),
    )
    max_query_cost: int = Field(
        default=DEFAULT_MAX_QUERY_COST,
        ge=1,
        description='the most a GraphQL operation may cost (see SECURITY.md, "Request '
        'limits"); every answer carries its cost in `extensions.cost`',
    )
    trusted_proxies: str = Field(
        default="",
        description="addresses or networks of your reverse proxies, comma-separated (e.g. "
        "`10.0.0.5,10.1.0.0/16`; `*` for any): only from these does `serve` believe "
        "`X-Forwarded-For` and `X-Forwarded-Proto`; unset: from no one, so a client cannot "
        "choose its own address",
        json_schema_extra=shown("unset"),
    )
    expire_after_days: float = Field(
        default=14.0,
        description="a consented introduction with no reply for this long is expired by the system",
    )
    reputation_half_life_days: float = Field(
        default=180.0, description="how fast old outcomes are forgotten in reputation"
    )
    background: bool = Field(
        default=True,
        description="`0`: this `serve` never takes the background lease, so never runs the "
        "projections, the expiry sweeper or the webhook dispatcher (as `serve --no-background`);"
        ' a `worker` or another `serve` must (README, "Background work")',
        json_schema_extra=shown("`1`"),
    )
    read_your_writes_timeout: float = Field(
        default=5.0, description="seconds a mutation waits for the read models to include it"
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="`1` lets webhooks call private, loopback and link-local addresses",
        json_schema_extra=shown("unset"),
    )
    webhook_proxy: str | None = Field(
        default=None,
        description="an HTTP(S) proxy for webhook deliveries, e.g. `http://proxy.internal:3128`; "
        "`HTTPS_PROXY` and the like are ignored",
        json_schema_extra=shown("unset"),
    )
    webhook_timeout_seconds: float = Field(default=10.0, description="per delivery attempt")
    webhook_retry_schedule: str = Field(
        default=DEFAULT_SCHEDULE,
        description="back-off between attempts (with jitter; `Retry-After` honoured)",
    )
    webhook_concurrency: int = Field(default=64, description="attempts in flight at once")
    webhook_poll_seconds: float = Field(
        default=0.1,
        description="how often due retries are looked for, and on SQLite, while events "
        "come, the log for events to deliver (lower: sooner deliveries, more CPU per write)",
    )

    @field_validator(*POSITIVE, mode="before")
    @classmethod
    def _positive(cls, raw: Any, info: ValidationInfo) -> float:
        assert info.field_name is not None
        return POSITIVE[info.field_name](raw)

    @field_validator("background", mode="before")
    @classmethod
    def _zero_or_one(cls, raw: Any) -> bool:
        if str(raw) not in {"0", "1", "True", "False"}:
            msg = f"{PREFIX}BACKGROUND={raw!r} must be 0 or 1"
            raise ConfigurationError(msg)
        return str(raw) in {"1", "True"}

    @field_validator("webhook_allow_private", mode="before")
    @classmethod
    def _only_one(cls, raw: Any) -> bool:
        return raw is True or str(raw) == "1"  # anything but `1` leaves private addresses out

    @field_validator("token_cache_seconds", mode="before")
    @classmethod
    def _token_cache(cls, raw: Any) -> float:
        try:
            seconds = float(raw)
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= MAX_TOKEN_CACHE_SECONDS:
            msg = (
                f"{PREFIX}TOKEN_CACHE_SECONDS={raw!r} must be a number of seconds from 0 to "
                f"{MAX_TOKEN_CACHE_SECONDS:g}"
            )
            raise ConfigurationError(msg)
        return seconds

    @field_validator("hsts_seconds")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            msg = "must be 0 or more seconds"
            raise ValueError(msg)
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        # The same list opens websocket handshakes (strawberry's allowed_origins): an
        # entry that is not an origin ("https://a.example/path") is refused at start.
        normalize_allowed_origins([o.strip() for o in value.split(",") if o.strip()])
        return value

    @field_validator("rate_limit")
    @classmethod
    def _a_rate(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() not in OFF:
            parse(value)  # ValueError: "couldn't parse rate limit string ..."
        return value

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """From the process's environment, or from `environ` alone when given."""
        try:
            if environ is None:
                return cls()
            given = {
                name.removeprefix(PREFIX).lower(): value
                for name, value in environ.items()
                if name.startswith(PREFIX) and value
            }
            return cls.model_validate({k: v for k, v in given.items() if k in cls.model_fields})
        except ValidationError as e:
            first = e.errors()[0]
            name = PREFIX + str(first["loc"][0]).upper() if first["loc"] else "settings"
            msg = f"{name}={first.get('input')!r}: {first['msg']}"
            raise ConfigurationError(msg) from None

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def allowed_origins(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def rate(self) -> RateLimitItem | None:
        raw = self.rate_limit
        if raw is None:
            raw = PRODUCTION_DEFAULT_RATE_LIMIT if self.production else ""
        return None if raw.strip().lower() in OFF else parse(raw)


# What the background work (the lease holder: any `serve`, or a `worker`) reads: a
# `worker` needs these set as every `serve` has them; the others only `serve` reads.
BACKGROUND_READS = frozenset(
    {
        "database_url",
        "expire_after_days",
        "reputation_half_life_days",
        *(name for name in Settings.model_fields if name.startswith("webhook_")),
    }
)


def configuration_table() -> str:
    """The README's table: every variable, its default, the processes that read it and
    its meaning."""
    rows = ["| variable | default | read by | meaning |", "| --- | --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        value = field.default
        shown_value = f"{value:g}" if isinstance(value, float) else str(value)
        default = extra.get("shown_default") or f"`{shown_value}`"
        read_by = "`serve`, `worker`" if name in BACKGROUND_READS else "`serve`"
        rows.append(f"| `{PREFIX}{name.upper()}` | {default} | {read_by} | {field.description} |")
    return "\n".join(rows) + "\n"
