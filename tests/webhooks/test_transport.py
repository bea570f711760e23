"""Each delivery connects to an address its own check passed, over http and https alike,
with the certificate still verified for the URL's name; the environment's proxy variables
are ignored. Names are resolved by a stand-in for DNS that answers differently each time
(a rebinding attacker); every connection stays on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator

import pytest
import trustme

from tests.webhooks.conftest import FAST
from tests.webhooks.receiver import Receiver
from webhooks.config import DispatcherSettings
from webhooks.records import Delivery, DeliveryStatus, EndpointRow
from webhooks.sender import Response, post
from webhooks.transport import delivery_client

NAME = "hooks.invalid"
CHECKED = DispatcherSettings(**{**FAST.__dict__, "allow_private": False})


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first answer is 127.0.0.1, which passes the check here; every later one is
    127.0.0.2 (nothing listens there) and fails it. Returns the names looked up."""
    looked_up: list[str] = []

    async def resolve(host: str, _port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1" if len(looked_up) == 1 else "127.0.0.2"]

    def refusal(host: str, addresses: list[str]) -> str | None:
        return None if addresses == ["127.0.0.1"] else f"{host} resolves to {addresses}"

    monkeypatch.setattr("webhooks.transport.resolve", resolve)
    monkeypatch.setattr("webhooks.transport.refusal_of_addresses", refusal)
    return looked_up


def endpoint(url: str) -> EndpointRow:
    secret = "whsec_" + "A" * 44
    return EndpointRow("e", url, [], True, secret, None, None, 0)


def send(url: str, settings: DispatcherSettings, verify: ssl.SSLContext | bool = True) -> Response:
    async def attempt() -> Response:
        delivery = Delivery(
            "d", "e", "ev", "ConsentGiven", 1, 0.0, '{"type":"ConsentGiven"}',
            DeliveryStatus.PENDING, 0, 0, None, None, None, None, 0.0,
        )  # fmt: skip
        async with delivery_client(settings, verify) as client:
            return await post(client, delivery, endpoint(url), settings)

    return asyncio.run(attempt())


@pytest.fixture
def https_receiver(ca: trustme.CA) -> Iterator[tuple[Receiver, list[str]]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME).configure_cert(context)
    names: list[str] = []
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)
    receiver = Receiver(tls=context)
    yield receiver, names
    receiver.stop()


def test_https_goes_to_the_checked_address_and_verifies_the_name(
    https_receiver: tuple[Receiver, list[str]], ca: trustme.CA, rebinding: list[str]
) -> None:
    receiver, sni = https_receiver
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    response = send(f"https://{NAME}:{receiver.port}/hooks", CHECKED, trusted)
    assert (response.status_code, response.error) == (204, None)
    assert rebinding == [NAME]  # one resolution: the one that was checked
    assert sni == [NAME]
    assert [r.headers["host"] for r in receiver.requests] == [f"{NAME}:{receiver.port}"]


def test_https_still_refuses_a_certificate_for_another_name(
    https_receiver: tuple[Receiver, list[str]], rebinding: list[str]
) -> None:
    receiver, _ = https_receiver
    response = send(f"https://{NAME}:{receiver.port}/hooks", CHECKED)  # the system's CAs
    assert response.status_code is None
    assert "CERTIFICATE_VERIFY_FAILED" in (response.error or "")
    assert receiver.requests == []


def test_plain_http_is_pinned_to_the_checked_address(
    receiver: Receiver, rebinding: list[str]
) -> None:
    response = send(f"http://{NAME}:{receiver.port}/hooks", CHECKED)
    assert (response.status_code, response.error) == (204, None)
    assert rebinding == [NAME]
    assert [r.headers["host"] for r in receiver.requests] == [f"{NAME}:{receiver.port}"]


def test_a_refused_address_is_never_connected(receiver: Receiver) -> None:
    response = send(receiver.url, CHECKED)  # 127.0.0.1, by the real check
    assert response.status_code is None
    assert (response.error or "").startswith("refused: the host '127.0.0.1' resolves to 127.0.0.1")
    assert receiver.requests == []


def test_a_proxy_named_in_the_settings_is_used(receiver: Receiver) -> None:
    proxy = Receiver()
    try:
        settings = DispatcherSettings(
            **{**FAST.__dict__, "proxy": proxy.url.removesuffix("/hooks")}
        )
        assert send(receiver.url, settings).status_code == 204
        assert (receiver.requests, len(proxy.requests)) == ([], 1)
    finally:
        proxy.stop()
