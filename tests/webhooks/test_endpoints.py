"""Registering and changing endpoints: admin only, URLs checked, secrets shown once."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import pytest

from domain.application import IntroductionsApp
from domain.errors import BadInput, Forbidden, InvalidTransition, NotFound
from domain.introduction import ADMIN
from domain.webhook import WebhookEndpoint, is_public_address
from storage.bootstrap import open_application
from storage.database import Storage
from tests.conftest import FakeClock

PUBLIC = "https://hooks.example.com/introductions"


def public_dns(_host: str, _port: int) -> list[str]:
    return ["93.184.215.14"]  # resolution is faked: the tests never leave 127.0.0.1


@pytest.fixture
def app(sqlite_storage: Storage, clock: FakeClock) -> Iterator[IntroductionsApp]:
    application = open_application(sqlite_storage, clock=clock)
    yield application
    application.close()


def test_registration_returns_a_secret_once(app: IntroductionsApp) -> None:
    result = app.register_webhook(ADMIN, PUBLIC, ["ConsentGiven"], "CRM", resolver=public_dns)
    assert result.secret is not None
    assert result.secret.startswith("whsec_")
    assert len(base64.b64decode(result.secret.removeprefix("whsec_"))) >= 24
    assert result.position > 0
    [listed] = app.list_webhooks(ADMIN)
    assert listed.id == result.endpoint.id
    assert (listed.url, listed.event_types, listed.active) == (PUBLIC, ["ConsentGiven"], True)
    assert app.get_webhook(ADMIN, str(listed.id)).description == "CRM"


def test_only_the_admin_manages_webhooks(app: IntroductionsApp) -> None:
    with pytest.raises(Forbidden):
        app.register_webhook("someone", PUBLIC, resolver=public_dns)
    endpoint = app.register_webhook(ADMIN, PUBLIC, resolver=public_dns).endpoint
    for call in (
        lambda: app.list_webhooks("someone"),
        lambda: app.deactivate_webhook("someone", endpoint.id),
        lambda: app.rotate_webhook_secret("someone", endpoint.id),
    ):
        with pytest.raises(Forbidden):
            call()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://192.168.0.10/hooks",
        "http://169.254.169.254/latest/meta-data",  # the cloud metadata service
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://0.0.0.0/hooks",
        "http://[64:ff9b::a9fe:a9fe]/hooks",  # NAT64 of the metadata service
        "http://[64:ff9b::7f00:1]/hooks",
        "http://[64:ff9b:1::7f00:1]/hooks",  # the local-use NAT64 prefix
        "http://[::127.0.0.1]/hooks",  # IPv4-compatible
        "http://[2002:7f00:1::1]/hooks",  # 6to4
        "http://[::ffff:0:7f00:1]/hooks",  # IPv4-translated
        "http://[fec0::1]/hooks",  # site-local
    ],
)
def test_private_destinations_are_refused_by_default(
    app: IntroductionsApp, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE", raising=False)
    with pytest.raises(BadInput) as refused:
        app.register_webhook(ADMIN, url)
    assert refused.value.field == "url"
    assert "INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE" in refused.value.message


def test_a_name_resolving_to_a_private_address_is_refused(app: IntroductionsApp) -> None:
    with pytest.raises(BadInput, match=r"resolves to 10\.0\.0\.7"):
        app.register_webhook(ADMIN, PUBLIC, resolver=lambda _h, _p: ["10.0.0.7"])


def test_the_operator_may_allow_private_destinations(
    app: IntroductionsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE", "1")
    assert app.register_webhook(ADMIN, "http://127.0.0.1:9/hooks").endpoint.active


@pytest.mark.parametrize(
    ("url", "event_types", "field"),
    [
        ("ftp://example.com/hooks", None, "url"),
        ("https:///no-host", None, "url"),
        ("https://user:pw@example.com/", None, "url"),
        (PUBLIC, ["PersonRegistered"], "eventTypes"),
    ],
)
def test_bad_input(
    app: IntroductionsApp, url: str, event_types: list[str] | None, field: str
) -> None:
    with pytest.raises(BadInput) as refused:
        app.register_webhook(ADMIN, url, event_types, resolver=public_dns)
    assert refused.value.field == field


def test_deactivate_reactivate_and_unknown_ids(app: IntroductionsApp) -> None:
    endpoint_id = app.register_webhook(ADMIN, PUBLIC, resolver=public_dns).endpoint.id
    assert not app.deactivate_webhook(ADMIN, endpoint_id, "maintenance").endpoint.active
    with pytest.raises(InvalidTransition):
        app.deactivate_webhook(ADMIN, endpoint_id)
    assert app.reactivate_webhook(ADMIN, endpoint_id).endpoint.active
    with pytest.raises(NotFound):
        app.get_webhook(ADMIN, "00000000-0000-4000-8000-000000000000")


def test_rotation_keeps_the_old_secret_for_a_day(app: IntroductionsApp, clock: FakeClock) -> None:
    registration = app.register_webhook(ADMIN, PUBLIC, resolver=public_dns)
    rotated = app.rotate_webhook_secret(ADMIN, registration.endpoint.id)
    endpoint: WebhookEndpoint = rotated.endpoint
    assert rotated.secret != registration.secret
    assert endpoint.signing_secrets(clock()) == [rotated.secret, registration.secret]
    later = clock() + timedelta(hours=24)
    assert endpoint.signing_secrets(later) == [rotated.secret]


def test_public_addresses() -> None:
    assert is_public_address("93.184.215.14")
    assert is_public_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    for address in ("127.0.0.1", "10.0.0.1", "172.16.0.1", "100.64.0.1", "fe80::1", "fc00::1"):
        assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "::a9fe:a9fe", "2002:a9fe:a9fe::1", "::ffff:0:a00:1"],
)
def test_an_ipv4_address_inside_ipv6_is_checked_as_ipv4(address: str) -> None:
    assert not is_public_address(address)
    public_inside = address.replace("a9fe:a9fe", "5db8:d70e").replace("a00:1", "5db8:d70e")
    assert is_public_address(public_inside), public_inside  # 93.184.215.14 inside
