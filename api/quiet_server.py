"""uvicorn's Server, renewing its Date header once a second (to the second, as uvicorn's)
rather than looking at its exit flag ten times a second: a signal to stop wakes it at
once, so that an idle `serve` seldom wakes. `run` starts it as uvicorn.run starts its own
Server, in each process of uvicorn's supervisor when `workers` is above 1."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess, multiprocess

TICK_SECONDS = 1.0
STARTUP_FAILURE = 3  # uvicorn's exit status when the application does not start


class QuietServer(uvicorn.Server):
    _loop: asyncio.AbstractEventLoop | None = None
    _tick: asyncio.Future[None] | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 10) % 864000  # on_tick renews the date on multiples of 10
            # asyncio.sleep, but one that a signal can end early
            self._tick = self._loop.create_future()
            timer = self._loop.call_later(TICK_SECONDS, _end, self._tick)
            await self._tick
            timer.cancel()
            should_exit = await self.on_tick(counter)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        loop, tick = self._loop, self._tick
        if loop is not None and tick is not None and not loop.is_closed():
            loop.call_soon_threadsafe(_end, tick)


def _end(tick: asyncio.Future[None]) -> None:
    if not tick.done():
        tick.set_result(None)


class QuietProcess(multiprocess.Process):
    """One of the supervisor's processes, running a QuietServer."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = QuietServer(config=self.config)
        return self._server


def run(app: str, **options: Any) -> None:
    config = uvicorn.Config(app, **options)
    if config.workers > 1:
        # The supervisor makes its processes by its module's name `Process`: no other hook.
        multiprocess.Process = QuietProcess  # type: ignore[misc]
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    server = QuietServer(config=config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)
