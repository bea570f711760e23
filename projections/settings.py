"""Settings of the projections, from the environment, failing with one clear line."""

from __future__ import annotations

import os

from domain.errors import ConfigurationError

HALF_LIFE_VARIABLE = "INTRODUCTIONS_REPUTATION_HALF_LIFE_DAYS"
DEFAULT_HALF_LIFE_DAYS = 180.0


def half_life_from_environment(environ: dict[str, str] | None = None) -> float:
    environ = dict(os.environ) if environ is None else environ
    raw = environ.get(HALF_LIFE_VARIABLE)
    if not raw:
        return DEFAULT_HALF_LIFE_DAYS
    try:
        days = float(raw)
    except ValueError:
        days = -1.0
    if not 0 < days < float("inf"):
        msg = f"{HALF_LIFE_VARIABLE}={raw!r} must be a positive number of days"
        raise ConfigurationError(msg)
    return days
