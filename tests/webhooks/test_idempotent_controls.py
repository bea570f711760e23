"""redeliverWebhookDelivery and replayWebhook repeated with the same idempotency key:
the first answer again, and nothing scheduled again (their writes are outside the event
log, so the key is recorded right after the write)."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from domain.application import IntroductionsApp
from domain.errors import BadInput
from domain.introduction import ADMIN
from tests.webhooks.conftest import introduce, people
from webhooks.control import WebhookControl

pytestmark = pytest.mark.usefixtures("allow_private")


def test_a_repeated_replay_or_redelivery_schedules_nothing_again(
    app: IntroductionsApp, control: WebhookControl
) -> None:
    introduction_id = introduce(app, people(app))
    webhook_id = str(app.register_webhook(ADMIN, "http://127.0.0.1:9/hook").endpoint.id)
    since = app.history(introduction_id)[0].occurred_at
    scheduled = control.replay(ADMIN, webhook_id, since, idempotency_key="replay")
    first = {d.id: d.next_attempt_at for d in control.deliveries(ADMIN, webhook_id)}
    time.sleep(0.05)  # the store stamps schedules with the wall clock

    assert control.replay(ADMIN, webhook_id, since, idempotency_key="replay") == scheduled
    assert {d.id: d.next_attempt_at for d in control.deliveries(ADMIN, webhook_id)} == first

    one = next(iter(first))
    redelivered = control.redeliver(ADMIN, one, idempotency_key="again")
    time.sleep(0.05)
    assert control.redeliver(ADMIN, one, idempotency_key="again") == redelivered
    with pytest.raises(BadInput) as refused:
        control.replay(ADMIN, webhook_id, datetime.now(since.tzinfo), idempotency_key="replay")
    assert refused.value.field == "idempotencyKey"
