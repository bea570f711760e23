"""Settings of the projections, from the environment, failing with one clear line."""

from __future__ import annotations

import os

from domain.settings import positive_number

HALF_LIFE_VARIABLE = "INTRODUCTIONS_REPUTATION_HALF_LIFE_DAYS"
DEFAULT_HALF_LIFE_DAYS = 180.0


def half_life_from_environment(environ: dict[str, str] | None = None) -> float:
    environ = dict(os.environ) if environ is None else environ
    return positive_number(environ, HALF_LIFE_VARIABLE, DEFAULT_HALF_LIFE_DAYS, unit=" of days")
