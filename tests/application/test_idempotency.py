"""Idempotency keys: a command repeated with the same key by the same actor within 24
hours answers the first result (as of the first write) and writes nothing; the same key
with other arguments is refused; other actors and expired keys write anew."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

from domain.application import CommandResult, IntroductionsApp
from domain.audit import verify_log
from domain.errors import BadInput, InvalidTransition
from domain.introduction import ADMIN
from domain.webhook import ALLOW_PRIVATE_VARIABLE
from storage.bootstrap import open_application
from storage.database import Storage
from tests.application.journeys import (
    People,
    consented,
    last_position,
    proposed,
    register_people,
)
from tests.application.race_worker import reply_once
from tests.conftest import FakeClock
from tests.processes import run_in_threads, run_together


def snapshot(result: CommandResult) -> dict[str, Any]:
    """What a client sees of a command's result."""
    i = result.introduction
    return {
        "id": i.id,
        "version": i.version,
        "status": i.status,
        "consented_by": sorted(i.consented_by),
        "updated_at": i.modified_on,
    }


def replies(app: IntroductionsApp, introduction_id: Any) -> list[Any]:
    return [e.data["message"] for e in app.history(introduction_id) if e.type == "ReplyRecorded"]


def test_the_same_key_twice_writes_once_and_answers_the_same(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id = consented(app, people)
    key = str(uuid4())

    first = app.record_reply(people.requester, introduction_id, "Hello", idempotency_key=key)
    position = last_position(app)
    clock.advance(hours=23, minutes=59)
    again = app.record_reply(people.requester, introduction_id, "Hello", idempotency_key=key)

    assert last_position(app) == position  # nothing written
    assert replies(app, introduction_id) == ["Hello"]
    assert snapshot(again) == snapshot(first)
    assert again.position >= first.position  # read models can be asked to wait for it


def test_a_repeated_proposal_answers_the_same_introduction(
    app: IntroductionsApp, people: People
) -> None:
    key = "propose-jim-john"
    first = app.propose(
        people.introducer, people.requester, people.target, "c", idempotency_key=key
    )
    position = last_position(app)
    # The same ids written another way are the same arguments.
    again = app.propose(
        people.introducer,
        people.requester.upper(),
        "{" + people.target + "}",
        "c",
        idempotency_key=key,
    )
    assert last_position(app) == position
    assert snapshot(again) == snapshot(first)


def test_a_repeated_registration_answers_the_same_person(app: IntroductionsApp) -> None:
    key = f"register-{uuid4()}"
    first = app.register_person(ADMIN, "Ann", offers=["design"], idempotency_key=key)
    position = last_position(app)
    again = app.register_person(ADMIN, "Ann", offers=["design"], idempotency_key=key)
    assert last_position(app) == position
    assert (again.person.id, again.person.version, again.person.offers) == (
        first.person.id,
        1,
        ["design"],
    )


def test_other_arguments_or_another_command_with_the_key_are_refused(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = consented(app, people)
    key = str(uuid4())
    app.record_reply(people.requester, introduction_id, "Hello", idempotency_key=key)
    position = last_position(app)

    attempts: list[Callable[[], object]] = [
        lambda: app.record_reply(people.requester, introduction_id, "Hi", idempotency_key=key),
        lambda: app.record_reply(
            people.requester, introduction_id, "Hello", expected_version=4, idempotency_key=key
        ),
        lambda: app.record_relationship_formed(
            people.requester, introduction_id, idempotency_key=key
        ),
    ]
    for attempt in attempts:
        with pytest.raises(BadInput) as refused:
            attempt()
        assert refused.value.field == "idempotencyKey"
        assert "different arguments" in refused.value.message
    assert last_position(app) == position


def test_the_same_key_from_another_actor_is_another_key(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = proposed(app, people)
    app.consent(people.requester, introduction_id, idempotency_key="consent")
    both = app.consent(people.target, introduction_id, idempotency_key="consent")
    assert both.introduction.status.value == "CONSENTED"
    assert both.introduction.version == 3


def test_after_24_hours_the_key_writes_again(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id = consented(app, people)
    key = str(uuid4())
    first = app.record_reply(people.requester, introduction_id, "Hello", idempotency_key=key)
    clock.advance(hours=24)

    later = app.record_reply(people.requester, introduction_id, "Hello", idempotency_key=key)

    assert later.introduction.version == first.introduction.version + 1
    assert replies(app, introduction_id) == ["Hello", "Hello"]
    # The key's new life answers the new result, and takes other arguments after it ends.
    position = last_position(app)
    assert snapshot(
        app.record_reply(people.requester, introduction_id, "Hello", idempotency_key=key)
    ) == snapshot(later)
    assert last_position(app) == position
    clock.advance(hours=25)
    app.record_reply(people.requester, introduction_id, "Other words", idempotency_key=key)
    assert replies(app, introduction_id) == ["Hello", "Hello", "Other words"]


def test_a_repeat_answers_the_state_as_of_the_first_write(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = consented(app, people)
    first = app.record_reply(people.requester, introduction_id, "Hello", idempotency_key="r1")
    app.record_reply(people.target, introduction_id, "Hi Jim")

    again = app.record_reply(people.requester, introduction_id, "Hello", idempotency_key="r1")

    assert snapshot(again) == snapshot(first)
    assert app.get_introduction(introduction_id).version == first.introduction.version + 1


def test_a_failed_command_records_no_key(app: IntroductionsApp, people: People) -> None:
    introduction_id = proposed(app, people)
    with pytest.raises(InvalidTransition):
        app.record_reply(people.requester, introduction_id, "Too soon", idempotency_key="k")
    app.consent(people.requester, introduction_id)
    app.consent(people.target, introduction_id)
    result = app.record_reply(people.requester, introduction_id, "Now", idempotency_key="k")
    assert replies(app, introduction_id) == ["Now"]
    assert result.introduction.version == 4


@pytest.mark.parametrize(
    ("key", "why"),
    [("", "1 to 200"), ("x" * 201, "1 to 200"), ("a\nb", "printable"), (" a", "spaces")],
)
def test_a_malformed_key_is_refused_and_nothing_written(
    app: IntroductionsApp, people: People, key: str, why: str
) -> None:
    introduction_id = proposed(app, people)
    position = last_position(app)
    with pytest.raises(BadInput) as refused:
        app.consent(people.requester, introduction_id, idempotency_key=key)
    assert refused.value.field == "idempotencyKey"
    assert why in refused.value.message
    assert last_position(app) == position


def test_a_200_character_key_with_any_printable_text_is_accepted(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = proposed(app, people)
    key = "é-" + "k" * 198
    first = app.consent(people.requester, introduction_id, idempotency_key=key)
    assert snapshot(app.consent(people.requester, introduction_id, idempotency_key=key)) == (
        snapshot(first)
    )


def test_a_repeated_token_issue_names_the_token_but_never_shows_it_again(
    app: IntroductionsApp, people: People
) -> None:
    first = app.issue_access_token(ADMIN, people.requester, idempotency_key="tok")
    position = last_position(app)
    again = app.issue_access_token(ADMIN, people.requester, idempotency_key="tok")

    assert first.token is not None
    assert again.token is None
    assert (again.token_id, again.expires_at) == (first.token_id, first.expires_at)
    assert last_position(app) == position
    assert app.authenticate(first.token) == people.requester


def test_a_repeated_revocation_answers_without_writing(
    app: IntroductionsApp, people: People
) -> None:
    issued = app.issue_access_token(ADMIN, people.requester)
    app.revoke_token(people.requester, str(issued.token_id), idempotency_key="rev")
    position = last_position(app)
    app.revoke_token(people.requester, str(issued.token_id), idempotency_key="rev")
    assert last_position(app) == position


def test_repeated_webhook_commands_answer_the_first_secret(
    app: IntroductionsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE_VARIABLE, "1")
    url = "http://127.0.0.1:9/hook"
    first = app.register_webhook(ADMIN, url, idempotency_key=f"w-{uuid4()}")
    key = f"rotate-{uuid4()}"
    rotated = app.rotate_webhook_secret(ADMIN, first.endpoint.id, idempotency_key=key)
    position = last_position(app)
    again = app.rotate_webhook_secret(ADMIN, first.endpoint.id, idempotency_key=key)
    assert last_position(app) == position
    off_key = f"off-{uuid4()}"
    off = app.deactivate_webhook(ADMIN, first.endpoint.id, idempotency_key=off_key)
    off_again = app.deactivate_webhook(ADMIN, first.endpoint.id, idempotency_key=off_key)

    assert (again.endpoint.id, again.secret) == (first.endpoint.id, rotated.secret)
    assert again.secret != first.secret
    assert off_again.endpoint.version == off.endpoint.version
    assert not off_again.endpoint.active


def test_concurrent_retries_write_once_and_all_answer_the_same(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = consented(app, people)
    key = str(uuid4())

    answers = run_in_threads(
        lambda: snapshot(
            app.record_reply(people.requester, introduction_id, "Hi", idempotency_key=key)
        ),
        threads=6,
    )

    assert replies(app, introduction_id) == ["Hi"]
    assert all(a == answers[0] for a in answers), answers
    assert answers[0]["version"] == 4


@pytest.mark.processes
def test_retries_racing_from_several_processes_write_once(storage: Storage) -> None:
    app = open_application(storage)
    try:
        people = register_people(app)
        introduction_id = str(consented(app, people))
    finally:
        app.close()

    answers = run_together(
        reply_once, storage.url, introduction_id, people.requester, "one key", processes=3
    )

    assert all(a == answers[0] for a in answers), answers
    assert answers[0][0] == "replied"
    app = open_application(storage)
    try:
        assert replies(app, introduction_id) == ["Hi"]
    finally:
        app.close()


def test_keys_are_chained_events_that_verify_like_any_other(
    app: IntroductionsApp, people: People, clock: FakeClock
) -> None:
    introduction_id = proposed(app, people)
    app.consent(people.requester, introduction_id, idempotency_key="audited")
    app.consent(people.target, introduction_id, idempotency_key="audited")
    clock.advance(hours=25)
    app.record_reply(people.target, introduction_id, "Hi", idempotency_key="audited")
    clock.advance(hours=25)
    app.record_reply(people.target, introduction_id, "Hi again", idempotency_key="audited")

    report = verify_log(app)

    assert report.ok, report.first_finding()
