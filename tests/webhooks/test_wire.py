"""The wire format: what a Standard Webhooks receiver verifies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from domain.introduction import Introduction
from domain.webhook import new_secret
from webhooks.config import parse_schedule
from webhooks.wire import attempt_headers, event_body, webhook_id

AT = datetime(2026, 11, 25, 18, 0, 0, 123456, tzinfo=UTC)


def burned_event() -> Any:
    introduction = Introduction.propose(
        id=uuid4(),
        introducer_id="j",
        requester_id="r",
        target_id="t",
        context="c",
        guidelines=None,
        at=AT,
    )
    introduction.consent("r", AT)
    introduction.consent("t", AT)
    introduction.burn("j", "r", "TRANSACTIONAL_ASK", "CARING", "sigh", AT)
    return introduction.collect_events()[-1]


def test_body_carries_the_event_in_camel_case() -> None:
    event = burned_event()
    body = json.loads(event_body(event))
    assert body == {
        "type": "IntroductionBurned",
        "timestamp": "2026-11-25T18:00:00.123456+00:00",
        "data": {
            "introductionId": str(event.originator_id),
            "version": 4,
            "actorId": "j",
            "blamedPersonId": "r",
            "reason": "TRANSACTIONAL_ASK",
            "cause": "CARING",
            "note": "sigh",
        },
    }


def test_signatures_verify_with_the_standard_library_and_both_during_rotation() -> None:
    event = burned_event()
    body, msg_id, now = event_body(event), webhook_id(event), int(datetime.now(UTC).timestamp())
    new, old, other = new_secret(), new_secret(), new_secret()
    headers = attempt_headers(msg_id, now, body, [new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(body, headers)["type"] == "IntroductionBurned"
    assert Webhook(old).verify(body, headers)["type"] == "IntroductionBurned"
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)


def test_retry_schedule() -> None:
    assert parse_schedule("5s,5m,30m,2h,5h,10h,10h") == (5, 300, 1800, 7200, 18000, 36000, 36000)
    assert parse_schedule("100ms, 1.5") == (0.1, 1.5)


def test_metrics_are_exported() -> None:
    from prometheus_client import generate_latest

    import webhooks.metrics  # noqa: F401

    text = generate_latest().decode()
    for name in (
        "introductions_webhook_deliveries_total",
        "introductions_webhook_retries_total",
        "introductions_webhook_attempt_seconds",
        "introductions_webhook_backlog",
    ):
        assert name in text


def test_the_signature_is_the_standards_example() -> None:
    # The example of the Standard Webhooks specification: a receiver built to it agrees.
    secret, msg_id, body = (
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        '{"test": 2432232314}',
    )
    headers = attempt_headers(msg_id, 1614265330, body, [secret])
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
