"""A person's profile update is delivered like an introduction event, with `personId`
where an introduction's event has `introductionId`; and it may be chosen by type."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from domain.application import IntroductionsApp
from domain.chain import event_id
from domain.errors import BadInput
from domain.introduction import ADMIN
from tests.webhooks.conftest import people
from tests.webhooks.receiver import Receiver
from webhooks.dispatcher import WebhookDispatcher

pytestmark = pytest.mark.usefixtures("allow_private")


def test_a_profile_update_is_delivered_with_the_person_id(
    app: IntroductionsApp,
    receiver: Receiver,
    start_dispatcher: Callable[..., WebhookDispatcher],
) -> None:
    _, jim, _ = people(app)
    app.register_webhook(ADMIN, receiver.url, ["PersonProfileUpdated"])
    start_dispatcher()
    app.update_profile(jim, offers=["Project Management"], needs=["marketing job leads"])

    receiver.wait_for(lambda: len(receiver.ids()) == 1)
    [request] = receiver.requests
    body = json.loads(request.body)
    assert body["type"] == "PersonProfileUpdated"
    assert body["data"] == {
        "personId": jim,
        "version": 2,
        "actorId": jim,
        "displayName": "Jim",
        "organization": None,
        "offers": ["Project Management"],
        "needs": ["marketing job leads"],
    }
    assert request.webhook_id == str(event_id(jim, 2))


def test_registrations_are_not_delivered(app: IntroductionsApp, receiver: Receiver) -> None:
    with pytest.raises(BadInput, match="PersonProfileUpdated"):
        app.register_webhook(ADMIN, receiver.url, ["PersonRegistered"])
