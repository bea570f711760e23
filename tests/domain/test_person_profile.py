"""Profiles change: PersonProfileUpdated in the person's history and hash chain, only the
person themself or the admin, nothing written when nothing changes, and no process ever
answers a profile older than the last update, whoever made it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.application import IntroductionsApp
from domain.audit import verify_log
from domain.errors import BadInput, Forbidden
from domain.introduction import ADMIN
from domain.person import Person
from storage.bootstrap import open_application
from storage.database import Storage

REPO = Path(__file__).parents[2]


@pytest.fixture
def app(storage: Storage) -> Iterator[IntroductionsApp]:
    application = open_application(storage)
    yield application
    application.close()


def registered(app: IntroductionsApp, name: str = "Jim") -> str:
    return str(app.register_person(ADMIN, name, "Acme", ["sales"], ["a job"]).person.id)


def test_an_update_is_an_event_in_the_history_and_the_chain(app: IntroductionsApp) -> None:
    jim = registered(app)
    updated = app.update_profile(jim, None, offers=["marketing advice"], organization="")
    assert updated.person.profile == ("Jim", None, ["marketing advice"], ["a job"])
    events = list(app.events.get(updated.person.id))
    assert [type(e).__name__ for e in events] == ["PersonRegistered", "PersonProfileUpdated"]
    assert events[1].actor_id == jim
    assert events[1].needs == ["a job"]  # the whole profile after the update
    assert app.get_person(jim).offers == ["marketing advice"]
    assert verify_log(app).ok


def test_nothing_to_change_writes_nothing(app: IntroductionsApp) -> None:
    jim = registered(app)
    position = app.recorder.max_notification_id()
    same = app.update_profile(jim, jim, display_name=" Jim ", offers=["sales"])
    assert same.person.version == 1
    assert app.recorder.max_notification_id() == position
    with pytest.raises(BadInput, match="at least one"):
        app.update_profile(jim)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"display_name": "  "}, "displayName"),
        ({"display_name": "x" * 201}, "displayName"),
        ({"organization": "x" * 201}, "organization"),
        ({"offers": ["x" * 101]}, "offers"),
        ({"needs": ["n"] * 51}, "needs"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    app: IntroductionsApp, fields: dict[str, object], field: str
) -> None:
    jim = registered(app)
    position = app.recorder.max_notification_id()
    with pytest.raises(BadInput) as refused:
        app.update_profile(jim, None, **fields)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert app.recorder.max_notification_id() == position


def test_only_the_person_or_the_admin_updates_a_profile(app: IntroductionsApp) -> None:
    jim, john = registered(app, "Jim"), registered(app, "John")
    with pytest.raises(Forbidden):
        app.update_profile(john, jim, display_name="Not Jim")
    with pytest.raises(BadInput, match="personId"):
        app.update_profile(ADMIN, None, display_name="Whom?")
    assert app.update_profile(ADMIN, jim, display_name="James").person.display_name == "James"
    assert Person.PersonProfileUpdated.__name__ in {
        type(e).__name__ for e in app.events.get(app.get_person(jim).id)
    }


def test_the_same_idempotency_key_updates_once(app: IntroductionsApp) -> None:
    jim = registered(app)
    first = app.update_profile(jim, None, needs=["advice"], idempotency_key="k-1")
    again = app.update_profile(jim, None, needs=["advice"], idempotency_key="k-1")
    assert first.person.version == again.person.version == 2
    assert len(list(app.events.get(first.person.id))) == 2


def test_no_process_answers_a_stale_profile(storage: Storage) -> None:
    """Two applications on one database, each with its own caches, as two serve
    processes have: what one updates, the other answers at once, through every read
    that used to trust a cached person."""
    here, there = open_application(storage), open_application(storage)
    try:
        jim, jason = registered(here, "Jim"), registered(here, "Jason")
        john = registered(here, "John")
        # Every way `here` reads a person, so that its caches hold Jim.
        assert here.get_person(jim).display_name == "Jim"
        assert here.get_persons_batched([jim])[jim].display_name == "Jim"
        here.propose(jason, jim, john, "c")
        there.update_profile(jim, None, display_name="James", needs=["advice"])
        # What commands check a person with, before any read brings the cache forward.
        assert here._known_person(jim, "id").display_name == "James"
        assert here.get_persons_batched([jim, john])[jim].needs == ["advice"]
        assert here.get_person(jim).display_name == "James"
        here.update_profile(ADMIN, jim, organization="Initech")  # builds on James, not Jim
        assert there.get_person(jim).profile == ("James", "Initech", ["sales"], ["advice"])
    finally:
        here.close()
        there.close()


@pytest.mark.processes
def test_an_update_made_by_another_os_process_is_seen_at_once(storage: Storage) -> None:
    app = open_application(storage)
    try:
        jim, jason, john = (registered(app, n) for n in ("Jim", "Jason", "John"))
        app.propose(jason, jim, john, "c")  # every cache of this process now holds Jim
        assert app.get_persons_batched([jim])[jim].display_name == "Jim"
        script = (
            "import sys\n"
            "from storage.bootstrap import open_application\n"
            "from storage.database import parse_database_url\n"
            "app = open_application(parse_database_url(sys.argv[1]))\n"
            "app.update_profile(sys.argv[2], None, display_name='James')\n"
            "app.close()\n"
        )
        subprocess.run(
            [sys.executable, "-c", script, storage.url, jim],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=True,
            timeout=120,
        )
        assert app._known_person(jim, "id").display_name == "James"
        assert app.get_persons_batched([jim])[jim].display_name == "James"
        assert [type(e).__name__ for e in app.events.get(app.get_person(jim).id)] == [
            "PersonRegistered",
            "PersonProfileUpdated",
        ]
    finally:
        app.close()
