"""The edge's settings that concern exposure (production mode, CORS, HSTS, rate limits):
fields of config.Settings, read once at start-up; a bad value stops it with one line
naming the variable."""

from __future__ import annotations

from config import Settings as EdgeSettings


def edge_settings() -> EdgeSettings:
    return EdgeSettings.read()
