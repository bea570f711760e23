"""End to end on both databases: events become signed POSTs to a real receiver,
retried with the same webhook-id, filtered by type, stopped by 410."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from standardwebhooks.webhooks import Webhook

from domain.application import IntroductionsApp
from domain.chain import event_id
from domain.introduction import ADMIN
from storage.database import Storage
from tests.webhooks.conftest import event_ids, introduce, people, propose_and_decline
from tests.webhooks.receiver import Received, Receiver
from webhooks.control import WebhookControl
from webhooks.dispatcher import WebhookDispatcher
from webhooks.records import Delivery, DeliveryStatus

pytestmark = pytest.mark.usefixtures("allow_private")
StartDispatcher = Callable[..., WebhookDispatcher]


def fail_first(request: Received, seen: int) -> tuple[int, dict[str, str]]:
    return (500, {}) if seen == 0 else (200, {})


def test_signed_delivery_retried_with_the_same_id(
    app: IntroductionsApp, storage: Storage, start_dispatcher: StartDispatcher
) -> None:
    receiver = Receiver(fail_first)
    try:
        registration = app.register_webhook(ADMIN, receiver.url)
        start_dispatcher()
        introduction_id = introduce(app, people(app))
        expected = event_ids(app, introduction_id)
        receiver.wait_for(lambda: all(len(receiver.of(i)) >= 2 for i in expected))

        first, second = receiver.of(expected[0])[:2]
        assert first.body == second.body
        assert second.at - first.at >= 0.08  # the back-off (100 ms, jitter 10 %)
        verifier = Webhook(registration.secret)
        payload = verifier.verify(second.body, second.headers)
        assert payload["type"] == "IntroductionProposed"
        assert payload["data"]["introductionId"] == introduction_id
        assert payload["data"]["version"] == 1
        assert payload["data"]["context"] == "hi"
        assert "introducerId" in payload["data"]
        assert payload["timestamp"] == app.history(introduction_id)[0].occurred_at.isoformat()

        control = WebhookControl(app, storage)
        rows = wait_for_rows(control, str(registration.endpoint.id), DeliveryStatus.SUCCEEDED, 3)
        assert {r.event_id for r in rows} == set(expected)
        assert all(r.attempts == 2 and r.last_status_code == 200 for r in rows)
        assert all(r.delivered_time is not None and r.next_attempt_time is None for r in rows)
        control.close()
    finally:
        receiver.stop()


def wait_for_rows(
    control: WebhookControl, webhook_id: str, status: DeliveryStatus, n: int
) -> list[Delivery]:
    deadline = time.monotonic() + 10
    while True:
        rows = control.deliveries(ADMIN, webhook_id, status)
        if len(rows) >= n or time.monotonic() > deadline:
            return rows
        time.sleep(0.02)


def test_only_events_after_registration_and_of_the_chosen_types(
    app: IntroductionsApp, receiver: Receiver, start_dispatcher: StartDispatcher
) -> None:
    trio = people(app)
    before = introduce(app, trio)
    consents = app.register_webhook(ADMIN, receiver.url, ["ConsentGiven"])
    everything = Receiver()
    try:
        app.register_webhook(ADMIN, everything.url)
        start_dispatcher()
        after = introduce(app, people(app))
        everything.wait_for(lambda: len(everything.ids()) == 3)
        receiver.wait_for(lambda: len(receiver.ids()) == 2)
        assert everything.ids() == set(event_ids(app, after))
        types = {json.loads(r.body)["type"] for r in receiver.requests}
        assert types == {"ConsentGiven"}
        assert not receiver.ids() & set(event_ids(app, before))
        assert consents.endpoint.event_types == ["ConsentGiven"]
    finally:
        everything.stop()


def test_gone_deactivates_the_endpoint(
    app: IntroductionsApp, storage: Storage, start_dispatcher: StartDispatcher
) -> None:
    gone = Receiver(lambda _r, _n: (410, {}))
    try:
        registration = app.register_webhook(ADMIN, gone.url)
        start_dispatcher()
        trio = people(app)
        propose_and_decline(app, trio, 1)
        endpoint_id = registration.endpoint.id
        gone.wait_for(lambda: not app.get_webhook(ADMIN, endpoint_id).active)
        propose_and_decline(app, trio, 2)
        control = WebhookControl(app, storage)
        failed = wait_for_rows(control, str(endpoint_id), DeliveryStatus.FAILED, 1)
        assert failed[0].last_status_code == 410
        assert failed[0].attempts == 1  # 410 is final: no retry
        assert "410" in (app.get_webhook(ADMIN, endpoint_id).deactivation_reason or "")
        assert len(gone.requests) <= 2  # at most the second event of the first round
        control.close()
    finally:
        gone.stop()


def test_receiver_down_then_up_gets_every_event(
    app: IntroductionsApp, receiver: Receiver, start_dispatcher: StartDispatcher
) -> None:
    app.register_webhook(ADMIN, receiver.url)
    start_dispatcher()
    trio = people(app)
    receiver.stop()
    propose_and_decline(app, trio, 10)
    time.sleep(0.5)  # several attempts meet a refused connection
    receiver.start()
    propose_and_decline(app, trio, 5)
    expected = all_introduction_event_ids(app)
    assert len(expected) == 30
    receiver.wait_for(lambda: receiver.ids() == expected, timeout=15)


def all_introduction_event_ids(app: IntroductionsApp) -> set[str]:
    return {
        str(event_id(n.originator_id, n.originator_version))
        for n in app.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.startswith("domain.introduction:")
    }


@pytest.mark.parametrize("storage", ["sqlite"], indirect=True)
def test_stopped_and_started_again_it_continues_where_it_was(
    app: IntroductionsApp, receiver: Receiver, storage: Storage
) -> None:
    from tests.webhooks.conftest import FAST

    app.register_webhook(ADMIN, receiver.url)
    dispatcher = WebhookDispatcher(storage, settings=FAST)
    dispatcher.start()
    trio = people(app)
    propose_and_decline(app, trio, 2)
    receiver.wait_for(lambda: len(receiver.ids()) == 4)
    dispatcher.stop()
    assert not dispatcher.running
    propose_and_decline(app, trio, 2)  # written while it is stopped
    dispatcher.start()
    try:
        receiver.wait_for(lambda: len(receiver.ids()) == 8)
        assert len(receiver.requests) == 8  # nothing sent twice across the restart
    finally:
        dispatcher.stop()
