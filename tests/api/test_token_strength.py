"""Production's operator tokens need 32 bytes of real randomness: the usual generators
always pass, and long-looking tokens made of sequences, repeats or words do not."""

from __future__ import annotations

import base64
import secrets

import pytest

from api.security import require_production_admin_tokens
from domain.errors import ConfigurationError
from storage.database import Storage

WEAK = [
    "abcdefghijklmnopqrstuvwxyzABCDEF",
    "0123456789abcdef0123456789abcdef",
    "abcdefghijklmnopqrstuvwxyzABCDEF" * 2,
    "0123456789abcdef" * 4,
    "qwertyuiopasdfghjklzxcvbnm1234567890QWERTYUIOPASDF",
    "correct-horse-battery-staple-correct-horse-battery",
    # as long as 32 random bytes in hex, but only 16 bytes of chance
    pytest.param(secrets.token_hex(16) * 2, id="hex-16-bytes-twice"),
    pytest.param(secrets.token_urlsafe(24), id="urlsafe-24-bytes"),  # random, but too few
    "test-admin-token-" + "x" * 32,
]


@pytest.mark.parametrize("token", WEAK)
def test_a_weak_production_admin_token_is_refused_saying_how_to_make_one(
    sqlite_storage: Storage, token: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        require_production_admin_tokens(sqlite_storage, {"INTRODUCTIONS_ADMIN_TOKEN": token})
    message = str(refused.value)
    assert "weak admin token" in message
    assert 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"' in message
    assert token not in message


def test_tokens_from_the_usual_generators_always_pass(sqlite_storage: Storage) -> None:
    generators = [
        lambda: secrets.token_urlsafe(32),  # the hint
        lambda: secrets.token_hex(32),  # openssl rand -hex 32
        lambda: base64.b64encode(secrets.token_bytes(32)).decode(),  # openssl rand -base64 32
    ]
    for generate in generators:
        for _ in range(20):
            environ = {"INTRODUCTIONS_ADMIN_TOKEN": generate()}
            require_production_admin_tokens(sqlite_storage, environ)


def test_a_weak_metrics_token_is_refused_in_production(sqlite_storage: Storage) -> None:
    environ = {
        "INTRODUCTIONS_ADMIN_TOKEN": secrets.token_urlsafe(32),
        "INTRODUCTIONS_METRICS_TOKEN": "metrics-metrics-metrics-metrics-metrics",
    }
    with pytest.raises(ConfigurationError, match="weak INTRODUCTIONS_METRICS_TOKEN"):
        require_production_admin_tokens(sqlite_storage, environ)
    environ["INTRODUCTIONS_METRICS_TOKEN"] = secrets.token_urlsafe(32)
    require_production_admin_tokens(sqlite_storage, environ)
