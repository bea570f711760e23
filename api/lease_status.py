"""What /readyz and /metrics say about the background lease: who holds it, and whether
this process competes for it."""

from __future__ import annotations

from typing import Any

from api import metrics
from api.services import Services, in_thread
from storage.lease import Holder

NOBODY = (
    "nobody holds the background lease: every process here runs with --no-background "
    "(INTRODUCTIONS_BACKGROUND=0), so the views, expiries and webhooks wait; start "
    "`introductions worker` or a `serve` without --no-background"
)


async def lease_holder(services: Services) -> Holder | None:
    work = services.background
    if work is None:
        return None
    if work.holding.is_set():
        return Holder.this_process()
    return await in_thread(work.lease.holder)


async def lease_status(services: Services) -> dict[str, Any]:
    """For /readyz: the holder, what this process does, and why nothing runs if so."""
    holder = await lease_holder(services)
    work = services.background
    if work is not None and work.holding.is_set():
        here = "holds the lease"
    elif services.competes_for_lease:
        here = "stands by"
    else:
        here = "never takes the lease (--no-background)"
    if holder is None:
        return {"holder": None, "thisProcess": here, "why": NOBODY}
    return {"holder": holder.label(), "thisProcess": here}


async def measure_lease(services: Services) -> None:
    holder = await lease_holder(services)
    metrics.LEASE_HOLDER_PID.set(holder.pid if holder else 0)
    work = services.background
    metrics.LEASE_HELD.set(1 if work is not None and work.holding.is_set() else 0)
