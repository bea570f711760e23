"""SIGTERM and SIGINT for a process whose main thread only waits for them (the worker,
`python -m webhooks`), shared here by those entry points.

The kernel hands a signal sent to a process to any one of its threads. Python runs the
handler in the main thread, but a main thread asleep in `Event.wait()` wakes only if the
signal landed on it, not on another thread. Whichever thread the signal lands on, the C
handler writes its number to the wake-up file descriptor, so the main thread waits on
that."""

from __future__ import annotations

import os
import signal
from types import FrameType

STOP = frozenset({signal.SIGTERM, signal.SIGINT})


class StopSignals:
    """Catches SIGTERM and SIGINT from creation on (create it before starting threads,
    so that a signal sent during start-up is not lost), for wait() to return."""

    def __init__(self) -> None:
        self._read, write = os.pipe()
        os.set_blocking(write, False)  # a full pipe must never block a signal handler
        signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        for signum in STOP:
            signal.signal(signum, _noted_by_the_wakeup_fd)

    def wait(self) -> signal.Signals:
        """Blocks until SIGTERM or SIGINT has come (at once if one came already)."""
        while True:
            for signum in os.read(self._read, 64):
                if signum in STOP:
                    return signal.Signals(signum)


def _noted_by_the_wakeup_fd(signum: int, frame: FrameType | None) -> None:
    """A Python handler has to be set for the C handler to write to the wake-up fd."""
