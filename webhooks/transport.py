"""The dispatcher's HTTP client. Each connection resolves its host once, checks every
address, and connects to an address it checked: no second resolution can be steered
elsewhere (DNS rebinding). TLS still verifies the certificate for the URL's host name and
sends it as SNI, and the pool keeps connections per host name, because only the socket's
address is chosen here. Proxy variables of the environment are ignored; a proxy is used
only when INTRODUCTIONS_WEBHOOK_PROXY names one."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable

import httpcore
import httpx

from domain.webhook import refusal_of_addresses
from webhooks.config import DispatcherSettings


class Refused(httpcore.ConnectError):
    """The host resolves to an address webhooks may not call; nothing was connected."""


async def resolve(host: str, port: int) -> list[str]:
    # getaddrinfo blocks: the loop runs it in its executor.
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class CheckedNetwork(httpcore.AsyncNetworkBackend):
    """httpcore's own network backend, connecting only to addresses that passed the check."""

    def __init__(self, *, check: bool) -> None:
        self.check = check
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await resolve(host, port)
        except (OSError, UnicodeError) as e:
            msg = f"the host {host!r} cannot be resolved ({e})"
            raise httpcore.ConnectError(msg) from e
        why = refusal_of_addresses(host, addresses) if self.check else None
        if why is not None:
            raise Refused(f"refused: {why}")
        failure: Exception | None = None
        for address in addresses:  # each of them checked above
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                failure = e
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        msg = "webhooks are delivered over TCP only"
        raise httpcore.ConnectError(msg)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, limits: httpx.Limits, verify: ssl.SSLContext | bool, check: bool) -> None:
        super().__init__(verify=verify, limits=limits, trust_env=False)
        # httpx's transport takes no network backend; its pool is made again with one,
        # through httpcore's public constructor, as httpx itself makes it.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=CheckedNetwork(check=check),
        )


def delivery_client(
    settings: DispatcherSettings, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncClient:
    limits = httpx.Limits(
        max_connections=settings.concurrency,
        max_keepalive_connections=settings.concurrency,
    )
    if settings.proxy is not None:
        # The proxy resolves and connects: each attempt's own check (sender.post) is all
        # that stands between a rebinding name and the proxy's network.
        return httpx.AsyncClient(
            limits=limits, proxy=settings.proxy, trust_env=False, verify=verify
        )
    transport = CheckedTransport(limits, verify, check=not settings.allow_private)
    return httpx.AsyncClient(transport=transport, trust_env=False)


def refused(error: httpx.HTTPError) -> str | None:
    """The reason, when an attempt failed because its address was refused."""
    return str(error.__cause__) if isinstance(error.__cause__, Refused) else None
