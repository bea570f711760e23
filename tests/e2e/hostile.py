"""Hostile documents, and a client that keeps asking /healthz meanwhile and says how
long each answer took."""

from __future__ import annotations

import threading
import time
from types import TracebackType

import httpx

HEALTH_TIMEOUT_SECONDS = 5.0
HEALTH_INTERVAL_SECONDS = 0.02


def fragment_bomb(n: int) -> str:
    """n fragments, each spreading the next twice: 2**n spreads once expanded, in about
    40 bytes per fragment (under 800 at n = 20)."""
    chain = " ".join(f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}" for i in range(n))
    return f"query{{...F0}} {chain} fragment F{n} on Query{{health{{ok}}}}"


def expensive_query(aliases: int = 30) -> str:
    """A full page of introductions with their history and parties, under each alias."""
    page = (
        "introductions(first: 100) { edges { node { history { id type occurredAt data } "
        "introducer { trackRecord { introductionsAsParty consentsGiven declines repliesSent "
        "burnsBlamed ghosted screening reasons } } requester { id displayName } "
        "target { id displayName } } } }"
    )
    return "{ " + " ".join(f"a{i}: {page}" for i in range(aliases)) + " }"


class HealthWatch:
    """While open, a thread asks GET /healthz every 20 ms on its own connection and
    records how long each answer took (a failure or a timeout as None)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seconds: list[float | None] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=HEALTH_TIMEOUT_SECONDS * 2)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=HEALTH_TIMEOUT_SECONDS) as http:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    ok = http.get("/healthz").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.seconds.append(time.monotonic() - started if ok else None)
                self._stop.wait(HEALTH_INTERVAL_SECONDS)

    @property
    def failures(self) -> int:
        return sum(s is None for s in self.seconds)

    @property
    def slowest(self) -> float:
        return max((s if s is not None else float("inf") for s in self.seconds), default=0.0)

    def percentile(self, fraction: float) -> float:
        answered = sorted(s for s in self.seconds if s is not None)
        if not answered:
            return float("inf")
        return answered[min(len(answered) - 1, int(fraction * len(answered)))]
