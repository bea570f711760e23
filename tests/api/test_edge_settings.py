"""INTRODUCTIONS_CORS_ORIGINS also opens websockets, so an entry must be an origin."""

from __future__ import annotations

import pytest

from api.settings import edge_settings
from domain.errors import ConfigurationError


def test_cors_origins_must_be_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTRODUCTIONS_CORS_ORIGINS", "https://app.example, http://127.0.0.1:9")
    assert edge_settings().allowed_origins == ["https://app.example", "http://127.0.0.1:9"]
    monkeypatch.setenv("INTRODUCTIONS_CORS_ORIGINS", "https://app.example/console")
    with pytest.raises(ConfigurationError, match=r"INTRODUCTIONS_CORS_ORIGINS.*origin like"):
        edge_settings()
