"""Reading a positive number from the environment, failing with one line naming it."""

from __future__ import annotations

import math

from domain.errors import ConfigurationError


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
