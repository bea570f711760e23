"""The body of one process starting on a shared database (imported by name under the
'spawn' start method): it opens every view and the webhook store, whose migrations carry
an extra version 2 that would fail if applied twice (ALTER TABLE … ADD COLUMN)."""

from __future__ import annotations

import traceback
from typing import Any

from migrations import Migration
from projections.registry import open_views
from storage.database import Storage, parse_database_url
from webhooks.store import DeliveryStore

UPGRADE = Migration(2, ("ALTER TABLE webhook_deliveries ADD COLUMN note TEXT",))


def upgraded_store(storage: Storage) -> DeliveryStore:
    """The real store of the storage's kind, one schema version ahead, tables migrated."""
    base: Any
    if storage.kind == "postgres":
        from webhooks.store_postgres import PostgresDeliveryStore

        base, argument = PostgresDeliveryStore, storage
    else:
        from webhooks.store_sqlite import SQLiteDeliveryStore

        base, argument = SQLiteDeliveryStore, storage.sqlite_path

    class Upgraded(base):  # type: ignore[misc, valid-type]
        def migrations(self) -> list[Migration]:
            return [*super().migrations(), UPGRADE]

    store: DeliveryStore = Upgraded(argument)
    store.create_tables()
    return store


def start_together(url: str, barrier: Any, results: Any) -> None:
    storage = parse_database_url(url)
    try:
        barrier.wait(timeout=60)
        views = open_views(storage, half_life_days=180.0, clock=_now)
        views.close()
        upgraded_store(storage).close()
        results.put(("started", None))
    except Exception:
        results.put(("failed", traceback.format_exc()))


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
