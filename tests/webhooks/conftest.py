"""Fixtures of the webhook tests: the application on the parametrised storage, a
receiver on 127.0.0.1 (private addresses allowed for these tests), a fast dispatcher and
helpers that produce Introduction events."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from storage.bootstrap import open_application
from storage.database import Storage
from tests.webhooks.receiver import Receiver
from webhooks.config import DispatcherSettings, parse_schedule
from webhooks.control import WebhookControl
from webhooks.dispatcher import WebhookDispatcher

FAST = DispatcherSettings(
    timeout_seconds=2.0,
    # Long enough in total that a loaded machine exhausts no delivery meant to succeed.
    retry_schedule=parse_schedule("100ms,200ms,300ms,500ms,1s,1s,1s,1s,1s,1s"),
    concurrency=16,
    poll_seconds=0.02,
    allow_private=True,
)


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTRODUCTIONS_WEBHOOK_ALLOW_PRIVATE", "1")


@pytest.fixture
def app(storage: Storage) -> Iterator[IntroductionsApp]:
    application = open_application(storage)
    yield application
    application.close()


@pytest.fixture
def control(app: IntroductionsApp, storage: Storage) -> Iterator[WebhookControl]:
    c = WebhookControl(app, storage)
    yield c
    c.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def start_dispatcher(storage: Storage) -> Iterator[Callable[..., WebhookDispatcher]]:
    started: list[WebhookDispatcher] = []

    def start(settings: DispatcherSettings = FAST) -> WebhookDispatcher:
        dispatcher = WebhookDispatcher(storage, settings=settings)
        dispatcher.start()
        started.append(dispatcher)
        return dispatcher

    yield start
    for dispatcher in started:
        dispatcher.stop()


def people(app: IntroductionsApp) -> tuple[str, str, str]:
    ids = [str(app.register_person(ADMIN, name).person.id) for name in ("Jason", "Jim", "John")]
    return ids[0], ids[1], ids[2]


def introduce(app: IntroductionsApp, trio: tuple[str, str, str], context: str = "hi") -> str:
    """Proposes and has both parties consent: three events (two of them ConsentGiven)."""
    introducer, requester, target = trio
    introduction = app.propose(introducer, requester, target, context).introduction
    app.consent(requester, introduction.id)
    app.consent(target, introduction.id)
    return str(introduction.id)


def event_ids(app: IntroductionsApp, introduction_id: str) -> list[str]:
    return [str(e.id) for e in app.history(introduction_id)]


def propose_and_decline(app: IntroductionsApp, trio: tuple[str, str, str], times: int) -> int:
    """Two events per round, ending final so that the same trio can go again."""
    introducer, requester, target = trio
    for i in range(times):
        introduction = app.propose(introducer, requester, target, f"round {i}").introduction
        app.decline(target, introduction.id, "not now")
    return 2 * times
