"""The edge's settings that concern exposure: production mode, CORS, HSTS, rate limits,
the metrics token, trusted proxies. Read once from INTRODUCTIONS_* variables
(pydantic-settings); a bad value stops the start-up with one line naming the variable."""

from __future__ import annotations

from typing import Literal

from limits import RateLimitItem, parse
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from strawberry.http.websocket_origin import normalize_allowed_origins

from domain.errors import ConfigurationError

PRODUCTION_DEFAULT_RATE_LIMIT = "600/minute"
# About a page of 100 introductions with their parties and history (6,801), not two.
DEFAULT_MAX_QUERY_COST = 10_000
OFF = frozenset({"", "off", "none", "0"})


class EdgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTRODUCTIONS_", extra="ignore")

    env: Literal["development", "production"] = "development"
    # Origins allowed to call from a browser (CORS) and to open websockets, comma-separated;
    # none: no CORS at all, and websockets from the service's own origin only.
    cors_origins: str = ""
    # Strict-Transport-Security max-age; 0: no header (set it only behind HTTPS).
    hsts_seconds: int = 0
    # The most an operation may cost (api.schema.measure.cost), in either mode.
    max_query_cost: int = Field(default=DEFAULT_MAX_QUERY_COST, ge=1)
    # Per token (or per client address without one), e.g. "120/minute"; "off" for none.
    # Unset: off in development, PRODUCTION_DEFAULT_RATE_LIMIT in production.
    rate_limit: str | None = None
    # The bearer token /metrics asks for (a Prometheus scrape's `authorization`). Unset:
    # /metrics is open in development and not served in production.
    metrics_token: str | None = None
    # Addresses (or networks, comma-separated) of the reverse proxies whose
    # X-Forwarded-For and X-Forwarded-Proto are believed; none: nobody's, so no client can
    # pose as another address (uvicorn's own default trusts 127.0.0.1).
    trusted_proxies: str = ""

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


def edge_settings() -> EdgeSettings:
    try:
        return EdgeSettings()
    except ValidationError as e:
        first = e.errors()[0]
        name = "INTRODUCTIONS_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        msg = f"{name}={first.get('input')!r}: {first['msg']}"
        raise ConfigurationError(msg) from None
