"""The background work of a deployment: the projections follower, the expiry sweeper and
the webhook dispatcher, run by whichever `serve` or `worker` process holds the lease
(storage.lease); the others stand by. `serve --no-background` never competes."""

from __future__ import annotations

from datetime import timedelta

from storage.database import Storage
from storage.lease import lease_for
from storage.leased_work import LeasedWork, Work

WHAT = "the projections, the expiry sweeper and the webhook dispatcher"


def background(
    storage: Storage,
    *,
    expire_after: timedelta | None = None,
    sweep_interval: float = 60.0,
    webhooks: bool = True,
) -> LeasedWork:
    """The work, started in this process whenever it holds the lease (`start()` begins
    competing and returns at once; `stop()` stops the work and frees the lease)."""

    def make_work() -> list[Work]:
        from projections.runner import ProjectionsRunner
        from webhooks.dispatcher import WebhookDispatcher

        runner = ProjectionsRunner(
            storage, expire_after=expire_after, sweep_interval=sweep_interval
        )
        return [runner, WebhookDispatcher(storage)] if webhooks else [runner]

    return LeasedWork(lease_for(storage), make_work, what=WHAT, prepare=import_the_work)


def import_the_work() -> None:
    """Imported by a standby while it waits (a third of a second of a takeover's start
    in a fresh process, httpx's modules among them), never by `serve --no-background`."""
    import projections.runner
    import webhooks.dispatcher

    del projections.runner, webhooks.dispatcher
