"""Settings of the projections (config.Settings), failing with one clear line."""

from __future__ import annotations

from config import Settings


def half_life_from_environment(environ: dict[str, str] | None = None) -> float:
    return Settings.read(environ).reputation_half_life_days
