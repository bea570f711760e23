"""WebhookDispatcher: a background thread running an asyncio loop that follows the log
(recording deliveries) and sends due deliveries concurrently. Blocking database calls
run in worker threads, so neither the loop nor the API waits on them.

    dispatcher = WebhookDispatcher(storage)
    dispatcher.start()   # returns once the tables exist and the loop runs
    ...
    dispatcher.stop()    # lets attempts in flight finish (bounded by the timeout)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from typing import Any

import httpx

from domain.errors import DomainError
from storage.bootstrap import open_application
from storage.database import Storage
from webhooks import metrics
from webhooks.config import DispatcherSettings
from webhooks.follower import Follower, LogReader, SubscriptionLogReader
from webhooks.records import AttemptResult, Delivery, EndpointRow
from webhooks.sender import Response, outcome, post
from webhooks.store import DeliveryStore, open_store
from webhooks.transport import delivery_client

log = logging.getLogger(__name__)
BACKLOG_EVERY_SECONDS = 5.0
# Looks for due retries back off to this while none come: new deliveries wake the sender
# at once, and retries are due seconds to hours apart.
IDLE_CLAIM_EVERY = 2.0


class WebhookDispatcher:
    def __init__(
        self,
        storage: Storage,
        *,
        settings: DispatcherSettings | None = None,
        reader: LogReader | None = None,
    ) -> None:
        self.storage = storage
        self.settings = settings or DispatcherSettings.from_environment()
        self.owner = f"dispatcher-{uuid.uuid4()}"  # names this process's leases
        self._reader = reader
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._send_wake: asyncio.Event | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    # --- control from other threads ----------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(target=self._run, name="webhook-dispatcher", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise self._startup_error

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float | None = None) -> None:
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None or loop is None or stopping is None:
            return
        if thread.is_alive():
            loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout if timeout is not None else self.settings.timeout_seconds + 10)
        self._thread = None

    # --- the loop ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as e:  # surfaced by start() when it happens on the way up
            if not self._ready.is_set():
                self._startup_error = e
                self._ready.set()
            else:
                log.exception("webhook dispatcher stopped on an error")

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._send_wake = asyncio.Event()
        with contextlib.ExitStack() as closing:  # closes what was opened, in reverse
            app = open_application(self.storage)
            closing.callback(app.close)
            follow_store = open_store(self.storage)
            closing.callback(follow_store.close)
            send_store = open_store(self.storage)
            closing.callback(send_store.close)
            reader = self._reader or SubscriptionLogReader(
                app.recorder, poll_interval=self.settings.poll_seconds
            )
            follower = Follower(follow_store, reader, app.mapper, self.settings.batch_size)
            self._ready.set()
            await self._serve(app, follower, reader, send_store)

    async def _serve(
        self, app: Any, follower: Follower, reader: LogReader, send_store: DeliveryStore
    ) -> None:
        assert self._stopping is not None
        async with delivery_client(self.settings) as client:
            sending = _Sending(self, client, send_store, app)
            tasks = [
                asyncio.create_task(self._follow(follower)),
                asyncio.create_task(sending.run()),
                asyncio.create_task(self._measure_backlog(send_store)),
            ]
            await self._stopping.wait()
            reader.close()  # unblocks the follower's wait for new events
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await sending.drain()
        # A cancelled task's thread (a follower step, a store call) runs on: wait for every
        # one of them before the stores and the application close their connections; a
        # connection closed under a running SQLite query crashes the process.
        await asyncio.get_running_loop().shutdown_default_executor()

    async def _follow(self, follower: Follower) -> None:
        while True:
            try:
                consumed, recorded = await asyncio.to_thread(follower.step)
            except Exception:
                log.exception("webhook follower failed; retrying")
                consumed, recorded = 0, 0
                await asyncio.sleep(1.0)
            if recorded and self._send_wake is not None:
                self._send_wake.set()
            if not consumed:  # the reader waits for events itself: this is after errors
                await asyncio.sleep(self.settings.poll_seconds)

    async def _measure_backlog(self, store: DeliveryStore) -> None:
        while True:
            try:
                metrics.BACKLOG.set(await asyncio.to_thread(store.backlog))
            except Exception:
                log.exception("cannot measure the webhook backlog")
            await asyncio.sleep(BACKLOG_EVERY_SECONDS)


class _Sending:
    """Claims due deliveries, sends them concurrently, records outcomes in batches."""

    def __init__(
        self,
        dispatcher: WebhookDispatcher,
        client: httpx.AsyncClient,
        store: DeliveryStore,
        app: Any,
    ) -> None:
        self.dispatcher = dispatcher
        self.settings = dispatcher.settings
        self.client = client
        self.store = store
        self.app = app
        self.in_flight: set[asyncio.Task[None]] = set()
        self.results: list[AttemptResult] = []
        self.results_ready = asyncio.Event()
        self.slot_free = asyncio.Event()
        self.idle_looks = 0  # looks in a row that found nothing due
        assert dispatcher._send_wake is not None
        self.wake = dispatcher._send_wake

    async def run(self) -> None:
        recorder = asyncio.create_task(self._record_forever())
        try:
            while True:
                await self._claim_and_send()
        finally:
            recorder.cancel()

    async def _claim_and_send(self) -> None:
        free = self.settings.concurrency - len(self.in_flight)
        claimed: list[Delivery] = []
        if free > 0:
            now = time.time()
            try:
                claimed = await asyncio.to_thread(
                    self.store.claim,
                    self.dispatcher.owner,
                    now,
                    now + self.settings.lease_seconds,
                    free,
                )
                endpoints = await asyncio.to_thread(self.store.endpoints) if claimed else {}
            except Exception:
                log.exception("cannot claim webhook deliveries; retrying")
                await asyncio.sleep(1.0)
                return
            for delivery in claimed:
                endpoint = endpoints.get(delivery.webhook_id)
                if endpoint is None:
                    continue  # cannot happen: claim joins on the endpoint
                task = asyncio.create_task(self._attempt(delivery, endpoint))
                self.in_flight.add(task)
                task.add_done_callback(self._done)
        if len(claimed) == free and free > 0:
            return  # there may be more due right now
        self.idle_looks = 0 if claimed or self.in_flight else min(self.idle_looks + 1, 10)
        poll = self.settings.poll_seconds
        timeout = min(poll * 2**self.idle_looks, max(poll, IDLE_CLAIM_EVERY))
        wake = self.wake
        waits = [asyncio.create_task(wake.wait())]
        if free <= 0 or claimed:
            waits.append(asyncio.create_task(self.slot_free.wait()))
        _done, pending = await asyncio.wait(
            waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for p in pending:
            p.cancel()
        if wake.is_set():
            self.idle_looks = 0
        wake.clear()
        self.slot_free.clear()

    def _done(self, task: asyncio.Task[None]) -> None:
        self.in_flight.discard(task)
        self.slot_free.set()

    async def _attempt(self, delivery: Delivery, endpoint: EndpointRow) -> None:
        try:
            response = await post(self.client, delivery, endpoint, self.settings)
            result = outcome(delivery, response, self.settings, time.time())
        except Exception as e:  # a bug must not lose the lease silently
            log.exception("webhook attempt failed unexpectedly")
            response = Response(None, f"internal error: {e}"[:500], None)
            result = outcome(delivery, response, self.settings, time.time())
        self.results.append(result)
        self.results_ready.set()
        if response.status_code == 410:
            await self._deactivate(endpoint, delivery)

    async def _deactivate(self, endpoint: EndpointRow, delivery: Delivery) -> None:
        reason = f"410 Gone from {endpoint.url} (delivery {delivery.id})"
        try:
            await asyncio.to_thread(self.store.deactivate_endpoint, endpoint.id)
            await asyncio.to_thread(self.app.deactivate_gone_webhook, endpoint.id, reason)
        except DomainError:
            pass  # already inactive
        except Exception:
            log.exception("cannot deactivate webhook %s", endpoint.id)

    async def _record_forever(self) -> None:
        while True:
            await self.results_ready.wait()
            self.results_ready.clear()
            await self._flush()

    async def _flush(self) -> None:
        batch, self.results = self.results, []
        if not batch:
            return
        try:
            await asyncio.to_thread(self.store.record, self.dispatcher.owner, batch)
        except Exception:
            # Unrecorded outcomes: the leases expire and the deliveries are sent again.
            log.exception("cannot record %d webhook attempts", len(batch))

    async def drain(self) -> None:
        """On stop: let attempts in flight end (each is bounded by the timeout)."""
        if self.in_flight:
            await asyncio.wait(set(self.in_flight), timeout=self.settings.timeout_seconds + 1)
        await self._flush()
