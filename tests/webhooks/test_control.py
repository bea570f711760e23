"""Failing for good, redelivering by hand, replaying history, Retry-After, rotation, and
two dispatchers sharing the work."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from tests.webhooks.conftest import FAST, event_ids, introduce, people, propose_and_decline
from tests.webhooks.receiver import Received, Receiver
from webhooks.config import DispatcherSettings, parse_schedule
from webhooks.control import WebhookControl
from webhooks.dispatcher import WebhookDispatcher
from webhooks.records import Delivery, DeliveryStatus

pytestmark = pytest.mark.usefixtures("allow_private")
StartDispatcher = Callable[..., WebhookDispatcher]


def eventually(
    read: Callable[[], list[Delivery]], ok: Callable[[list[Delivery]], bool]
) -> list[Delivery]:
    deadline = time.monotonic() + 10
    while True:
        rows = read()
        if ok(rows):
            return rows
        assert time.monotonic() < deadline, rows
        time.sleep(0.02)


def test_failed_after_the_last_attempt_then_redelivered_by_hand(
    app: IntroductionsApp,
    control: WebhookControl,
    start_dispatcher: StartDispatcher,
) -> None:
    healthy = threading.Event()
    receiver = Receiver(lambda _r, _n: (200, {}) if healthy.is_set() else (500, {}))
    try:
        webhook_id = str(
            app.register_webhook(ADMIN, receiver.url, ["IntroductionProposed"]).endpoint.id
        )
        start_dispatcher(
            DispatcherSettings(**{**FAST.__dict__, "retry_schedule": parse_schedule("50ms,50ms")})
        )
        propose_and_decline(app, people(app), 1)
        [failed] = eventually(
            lambda: control.deliveries(ADMIN, webhook_id),
            lambda rows: bool(rows) and rows[0].status is DeliveryStatus.FAILED,
        )
        assert (failed.attempts, failed.last_status_code) == (3, 500)
        assert failed.last_error == "HTTP 500"
        assert failed.next_attempt_time is None
        assert len(receiver.requests) == 3

        healthy.set()
        control.redeliver(ADMIN, f"urn:uuid:{failed.id.upper()}")  # any spelling of the id
        [done] = eventually(
            lambda: control.deliveries(ADMIN, webhook_id, DeliveryStatus.SUCCEEDED),
            lambda rows: len(rows) == 1,
        )
        assert done.attempts == 4
        assert done.id == failed.id
        assert len(receiver.ids()) == 1  # one webhook-id throughout
        assert receiver.requests[0].headers["user-agent"].startswith("introductions-webhooks")

        assert control.prune(ADMIN, datetime.now(UTC)) == 1  # finished: may be forgotten
        assert control.deliveries(ADMIN, webhook_id) == []
    finally:
        receiver.stop()


def test_replay_resends_history_with_the_original_ids(
    app: IntroductionsApp, control: WebhookControl, start_dispatcher: StartDispatcher
) -> None:
    trio = people(app)
    old = introduce(app, trio)  # before the endpoint existed
    receiver = Receiver()
    try:
        webhook_id = str(app.register_webhook(ADMIN, receiver.url).endpoint.id)
        start_dispatcher()
        new = introduce(app, people(app))
        receiver.wait_for(lambda: receiver.ids() == set(event_ids(app, new)))
        since = app.history(old)[1].occurred_at  # skips the proposal of the old one
        assert control.replay(ADMIN, webhook_id, since) == 5
        expected = set(event_ids(app, old)[1:]) | set(event_ids(app, new))
        receiver.wait_for(lambda: receiver.ids() == expected)
        assert all(len(receiver.of(i)) == 2 for i in event_ids(app, new))
    finally:
        receiver.stop()


def test_retry_after_is_honoured(app: IntroductionsApp, start_dispatcher: StartDispatcher) -> None:
    def busy_once(_r: Received, seen: int) -> tuple[int, dict[str, str]]:
        return (429, {"retry-after": "1"}) if seen == 0 else (200, {})

    receiver = Receiver(busy_once)
    try:
        app.register_webhook(ADMIN, receiver.url, ["IntroductionProposed"])
        start_dispatcher()
        propose_and_decline(app, people(app), 1)
        receiver.wait_for(lambda: len(receiver.requests) == 2, timeout=5)
        first, second = receiver.requests
        assert second.at - first.at >= 0.95  # not the 100 ms of the schedule
    finally:
        receiver.stop()


def test_both_signatures_verify_during_a_rotation(
    app: IntroductionsApp, receiver: Receiver, start_dispatcher: StartDispatcher
) -> None:
    registration = app.register_webhook(ADMIN, receiver.url)
    rotated = app.rotate_webhook_secret(ADMIN, registration.endpoint.id)
    start_dispatcher()
    propose_and_decline(app, people(app), 1)
    receiver.wait_for(lambda: len(receiver.requests) == 2)
    for request in receiver.requests:
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        Webhook(registration.secret).verify(request.body, request.headers)
        Webhook(rotated.secret).verify(request.body, request.headers)


@pytest.mark.slow
def test_two_dispatchers_never_send_one_delivery_at_the_same_time(
    app: IntroductionsApp, start_dispatcher: StartDispatcher
) -> None:
    in_flight: set[str] = set()
    overlaps: list[str] = []
    lock = threading.Lock()

    def slow(request: Received, _seen: int) -> tuple[int, dict[str, str]]:
        with lock:
            if request.webhook_id in in_flight:
                overlaps.append(request.webhook_id)
            in_flight.add(request.webhook_id)
        time.sleep(0.01)
        with lock:
            in_flight.discard(request.webhook_id)
        return 200, {}

    receiver = Receiver(slow)
    try:
        app.register_webhook(ADMIN, receiver.url)
        start_dispatcher()
        start_dispatcher()
        events = propose_and_decline(app, people(app), 40)
        receiver.wait_for(lambda: len(receiver.ids()) == events, timeout=15)
        time.sleep(0.2)
        assert not overlaps
        assert len(receiver.requests) == events  # leases held: each sent exactly once
    finally:
        receiver.stop()


@pytest.mark.parametrize("storage", ["sqlite"], indirect=True)
def test_private_destinations_are_checked_again_before_each_attempt(
    app: IntroductionsApp,
    control: WebhookControl,
    receiver: Receiver,
    start_dispatcher: StartDispatcher,
) -> None:
    # Registered while the operator allowed it; the dispatcher now runs without that.
    webhook_id = str(app.register_webhook(ADMIN, receiver.url).endpoint.id)
    start_dispatcher(DispatcherSettings(**{**FAST.__dict__, "allow_private": False}))
    propose_and_decline(app, people(app), 1)
    rows = eventually(
        lambda: control.deliveries(ADMIN, webhook_id),
        lambda rows: len(rows) == 2 and all(r.attempts >= 1 for r in rows),
    )
    assert all("refused" in (r.last_error or "") for r in rows)
    assert all("127.0.0.1" in (r.last_error or "") for r in rows)
    assert receiver.requests == []


def test_a_hanging_receiver_times_out(
    app: IntroductionsApp, control: WebhookControl, start_dispatcher: StartDispatcher
) -> None:
    def hang(_r: Received, seen: int) -> tuple[int, dict[str, str]]:
        if seen == 0:
            time.sleep(0.6)
        return 200, {}

    receiver = Receiver(hang)
    try:
        webhook_id = str(
            app.register_webhook(ADMIN, receiver.url, ["IntroductionProposed"]).endpoint.id
        )
        start_dispatcher(DispatcherSettings(**{**FAST.__dict__, "timeout_seconds": 0.3}))
        propose_and_decline(app, people(app), 1)
        [row] = eventually(
            lambda: control.deliveries(ADMIN, webhook_id, DeliveryStatus.SUCCEEDED),
            lambda rows: len(rows) == 1,
        )
        assert row.attempts == 2
        assert len(receiver.requests) == 2
    finally:
        receiver.stop()


@pytest.mark.parametrize("storage", ["sqlite"], indirect=True)
def test_plain_http_goes_to_the_address_that_was_checked(
    app: IntroductionsApp,
    receiver: Receiver,
    start_dispatcher: StartDispatcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A name only the dispatcher's own check can resolve (to 127.0.0.1, which passes as
    # public here): the request arrives only if httpx connects to the checked address.
    async def resolve(_host: str, _port: int) -> list[str]:
        return ["127.0.0.1"]

    monkeypatch.setattr("webhooks.transport.resolve", resolve)
    monkeypatch.setattr("webhooks.transport.refusal_of_addresses", lambda *_a: None)
    app.register_webhook(ADMIN, f"http://pinned.invalid:{receiver.port}/hooks")
    start_dispatcher(DispatcherSettings(**{**FAST.__dict__, "allow_private": False}))
    propose_and_decline(app, people(app), 1)
    receiver.wait_for(lambda: len(receiver.requests) == 2)
    assert {r.headers["host"] for r in receiver.requests} == {f"pinned.invalid:{receiver.port}"}


@pytest.mark.parametrize("storage", ["sqlite"], indirect=True)
def test_the_environments_proxy_variables_are_ignored(
    app: IntroductionsApp,
    receiver: Receiver,
    start_dispatcher: StartDispatcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = Receiver()  # would record the deliveries if they went through it
    try:
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
        app.register_webhook(ADMIN, receiver.url)
        start_dispatcher()
        propose_and_decline(app, people(app), 1)
        receiver.wait_for(lambda: len(receiver.requests) == 2)
        assert proxy.requests == []
    finally:
        proxy.stop()
