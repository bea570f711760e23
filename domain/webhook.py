"""Webhook endpoints, event-sourced like everything else.

An endpoint's secret is stored in its events because the dispatcher must sign with it;
it is shown to the admin once, at registration or rotation, and never listed again.
The URL checks live here (stdlib only) so that registration refuses what delivery would
refuse; the dispatcher repeats the address check on every connection it opens, because a
DNS name may resolve elsewhere later (webhooks/transport.py)."""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.domain import event

from domain.chain import ChainedAggregate
from domain.delivered import DELIVERED_EVENT_TYPES
from domain.errors import BadInput, InvalidTransition

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
SECRET_BYTES = 32  # the specification asks for at least 24
ROTATION_OVERLAP = timedelta(hours=24)
ALLOW_PRIVATE_VARIABLE = "INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE"
URL_MAX = 2048
DESCRIPTION_MAX = 500
# The directory has one fixed id so that listing endpoints is one read, not a log scan.
WEBHOOK_DIRECTORY_ID = UUID("5e0d6a2b-8c1f-5a3e-9b7d-4f6a2c1e8d90")

Resolver = Callable[[str, int], Sequence[str]]


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def private_allowed(environ: dict[str, str] | None = None) -> bool:
    environ = dict(os.environ) if environ is None else environ
    return environ.get(ALLOW_PRIVATE_VARIABLE, "") == "1"


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


# IPv6 prefixes whose last 32 bits are an IPv4 address the packet ends up at: NAT64
# (RFC 6052), IPv4-compatible, IPv4-mapped and IPv4-translated (SIIT).
_IPV4_IN_LAST_32_BITS = tuple(
    ipaddress.IPv6Network(n) for n in ("64:ff9b::/96", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96")
)
# Never the public internet, though Python 3.11's is_global says otherwise: the local-use
# NAT64 prefix (RFC 8215; where its IPv4 sits is the local network's choice) and the
# deprecated site-local prefix.
_NOT_PUBLIC_V6 = tuple(ipaddress.IPv6Network(n) for n in ("64:ff9b:1::/48", "fec0::/10"))


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, shared (CGNAT), multicast, reserved and
    unspecified addresses: anything that is not the public internet. An IPv6 address that
    carries an IPv4 address (NAT64, 6to4, IPv4-compatible, -mapped or -translated) is
    judged by that IPv4 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _NOT_PUBLIC_V6):
            return False
        if ip.sixtofour is not None:
            ip = ip.sixtofour
        elif any(ip in network for network in _IPV4_IN_LAST_32_BITS):
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


def url_host_port(url: str) -> tuple[str, int]:
    """Checks the form of a webhook URL; returns its host and port."""
    if len(url) > URL_MAX:
        msg = f"The URL is longer than {URL_MAX} characters."
        raise BadInput(msg, field="url")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as e:
        msg = f"The URL is malformed: {e}."
        raise BadInput(msg, field="url") from None
    if parts.scheme not in {"http", "https"}:
        msg = "The URL must start with http:// or https://."
        raise BadInput(msg, field="url")
    if not parts.hostname:
        msg = "The URL names no host, as in https://example.com/hooks."
        raise BadInput(msg, field="url")
    if parts.username or parts.password:
        msg = "The URL must not carry a user name or password; the signature authenticates."
        raise BadInput(msg, field="url")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def refusal_of_destination(url: str, resolver: Resolver = resolve) -> str | None:
    """Why a URL may not be called (it resolves to a non-public address), or None."""
    host, port = url_host_port(url)
    try:
        addresses = list(resolver(host, port))
    except (OSError, UnicodeError) as e:
        return f"the host {host!r} cannot be resolved ({e})"
    return refusal_of_addresses(host, addresses)


def refusal_of_addresses(host: str, addresses: Sequence[str]) -> str | None:
    """Why a host resolving to these addresses may not be called, or None."""
    if not addresses:
        return f"the host {host!r} resolves to no address"
    for address in addresses:
        if not is_public_address(address):
            return (
                f"the host {host!r} resolves to {address}, a private, loopback or "
                "link-local address; webhooks may only call the public internet "
                f"(the operator can allow it with {ALLOW_PRIVATE_VARIABLE}=1)"
            )
    return None


def validate_url(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> str:
    url = url.strip()
    url_host_port(url)
    if not allow_private:
        why = refusal_of_destination(url, resolver)
        if why is not None:
            raise BadInput(f"The URL is refused: {why}.", field="url")
    return url


def validate_event_types(event_types: Sequence[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(event_types or []))
    unknown = [t for t in chosen if t not in DELIVERED_EVENT_TYPES]
    if unknown:
        allowed = ", ".join(DELIVERED_EVENT_TYPES)
        msg = f"Unknown event types {', '.join(unknown)}; the types are {allowed}."
        raise BadInput(msg, field="eventTypes")
    return chosen


def validate_description(description: str | None) -> str | None:
    if description is not None and len(description) > DESCRIPTION_MAX:
        msg = f"The description is longer than {DESCRIPTION_MAX} characters."
        raise BadInput(msg, field="description")
    return description


class WebhookEndpoint(ChainedAggregate):
    class WebhookRegistered(ChainedAggregate.Created):
        class_version = 1
        url: str
        event_types: list[str]
        description: str | None
        secret: str

    class WebhookDeactivated(ChainedAggregate.Event):
        class_version = 1
        reason: str | None

    class WebhookReactivated(ChainedAggregate.Event):
        class_version = 1

    class WebhookSecretRotated(ChainedAggregate.Event):
        class_version = 1
        new_secret: str
        old_secret: str
        old_secret_valid_until: datetime

    @event(WebhookRegistered)
    def __init__(
        self,
        id: UUID,
        url: str,
        event_types: list[str],
        description: str | None,
        secret: str,
        actor_id: str | None,
        timestamp: datetime,
    ) -> None:
        self.url = url
        self.event_types = list(event_types)
        self.description = description
        self.secret = secret
        self.old_secret: str | None = None
        self.old_secret_valid_until: datetime | None = None
        self.active = True
        self.deactivation_reason: str | None = None

    def deactivate(self, reason: str | None, actor_id: str | None, at: datetime) -> None:
        if not self.active:
            msg = "This webhook is already inactive."
            raise InvalidTransition(msg)
        self._deactivated(reason=reason, actor_id=actor_id, timestamp=at)

    @event(WebhookDeactivated)
    def _deactivated(self, reason: str | None, actor_id: str | None, timestamp: datetime) -> None:
        self.active = False
        self.deactivation_reason = reason

    def reactivate(self, actor_id: str, at: datetime) -> None:
        if self.active:
            msg = "This webhook is already active."
            raise InvalidTransition(msg)
        self._reactivated(actor_id=actor_id, timestamp=at)

    @event(WebhookReactivated)
    def _reactivated(self, actor_id: str, timestamp: datetime) -> None:
        self.active = True
        self.deactivation_reason = None

    def rotate_secret(self, new_secret: str, actor_id: str, at: datetime) -> None:
        self._secret_rotated(
            new_secret=new_secret,
            old_secret=self.secret,
            old_secret_valid_until=at + ROTATION_OVERLAP,
            actor_id=actor_id,
            timestamp=at,
        )

    @event(WebhookSecretRotated)
    def _secret_rotated(
        self,
        new_secret: str,
        old_secret: str,
        old_secret_valid_until: datetime,
        actor_id: str,
        timestamp: datetime,
    ) -> None:
        self.secret = new_secret
        self.old_secret = old_secret
        self.old_secret_valid_until = old_secret_valid_until

    def signing_secrets(self, at: datetime) -> list[str]:
        """The secrets to sign with at an instant: both during a rotation's overlap."""
        if self.old_secret and self.old_secret_valid_until and at < self.old_secret_valid_until:
            return [self.secret, self.old_secret]
        return [self.secret]


class WebhookDirectory(ChainedAggregate):
    """The ids of every endpoint, written in the same save() as each registration."""

    class DirectoryOpened(ChainedAggregate.Created):
        class_version = 1

    class WebhookListed(ChainedAggregate.Event):
        class_version = 1
        webhook_id: str

    @event(DirectoryOpened)
    def __init__(self, id: UUID, actor_id: str | None, timestamp: datetime) -> None:
        self.webhook_ids: list[str] = []

    @event(WebhookListed)
    def listed(self, webhook_id: str, actor_id: str | None, timestamp: datetime) -> None:
        self.webhook_ids.append(webhook_id)
