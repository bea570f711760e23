"""A real HTTP receiver on 127.0.0.1 for the webhook tests: records every request and
answers with whatever the test's `respond` function says."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


# (the request, how many times this webhook-id was seen before) -> (status, headers)
Responder = Callable[[Received, int], tuple[int, dict[str, str]]]


def always_ok(_request: Received, _seen: int) -> tuple[int, dict[str, str]]:
    return 204, {}


class Receiver:
    def __init__(
        self, respond: Responder = always_ok, port: int = 0, tls: ssl.SSLContext | None = None
    ) -> None:
        self.respond = respond
        self.tls = tls
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = port
        self.start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                request = Received(
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                    time.time(),
                )
                with receiver._lock:
                    seen = sum(r.webhook_id == request.webhook_id for r in receiver.requests)
                    receiver.requests.append(request)
                status, headers = receiver.respond(request, seen)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        # stop() waits for the serving loop to see the shutdown: poll often (default 0.5 s).
        serve = partial(self._server.serve_forever, poll_interval=0.02)
        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Down: the port refuses connections until start() again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> set[str]:
        with self._lock:
            return {r.webhook_id for r in self.requests}

    def of(self, webhook_id: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.webhook_id == webhook_id]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                msg = f"timed out; received {len(self.requests)} requests"
                raise AssertionError(msg)
            time.sleep(0.02)
