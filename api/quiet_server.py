"""uvicorn's Server, looking at its exit flag twice a second rather than ten times, so
that an idle `serve` seldom wakes; its Date header is still renewed every look (to the
second, as uvicorn's). `run` starts it as uvicorn.run starts its own Server, in each
process of uvicorn's supervisor when `workers` is above 1."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess, multiprocess

TICK_SECONDS = 0.5
STARTUP_FAILURE = 3  # uvicorn's exit status when the application does not start


class QuietServer(uvicorn.Server):
    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 10) % 864000  # on_tick renews the date on multiples of 10
            await asyncio.sleep(TICK_SECONDS)
            should_exit = await self.on_tick(counter)


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
