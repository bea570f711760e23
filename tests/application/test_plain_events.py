"""Events stored before personal data was sealed (plain fields) keep loading, reading and
verifying beside sealed ones, and `encrypt-existing` seals them, on both databases."""

from __future__ import annotations

from uuid import UUID

from api.commands.story import record_seed_story
from domain.application import IntroductionsApp
from domain.audit import verify_log
from domain.commands import ForgetPerson
from domain.introduction import ADMIN
from domain.personal import Sealed
from storage.bootstrap import open_application
from storage.database import Storage
from tests.audit.helpers import run_cli


def test_plain_events_load_beside_sealed_ones(storage: Storage) -> None:
    before = IntroductionsApp(env=storage.env)  # no keyring: the writer before sealing
    try:
        old = record_seed_story(before)
    finally:
        before.close()
    app = open_application(storage)
    try:
        new = record_seed_story(app)
        assert app.get_person(old["jim"]).display_name == "Jim"
        assert app.get_person(new["jim"]).display_name == "Jim"
        old_reply = app.history(old["burned"])[3].data
        new_reply = app.history(new["burned"])[3].data
        assert old_reply == new_reply
        assert old_reply["message"].startswith("Dear John")
        [stored_old] = app.events.get(UUID(old["burned"]), gt=3, lte=4)
        [stored_new] = app.events.get(UUID(new["burned"]), gt=3, lte=4)
        assert isinstance(stored_old.message, str)
        assert isinstance(stored_new.message, Sealed)
        assert verify_log(app).ok
    finally:
        app.close()


def test_encrypt_existing_seals_plain_events_and_the_chains_verify(storage: Storage) -> None:
    before = IntroductionsApp(env=storage.env)  # the writer before sealing
    try:
        ids = record_seed_story(before)
    finally:
        before.close()
    done = run_cli(storage, "encrypt-existing")
    assert done.returncode == 0, done.stderr
    assert "Sealed 29 personal fields of 8 aggregates" in done.stdout
    assert "rewriting 16 events" in done.stdout
    again = run_cli(storage, "encrypt-existing")
    assert "nothing to do" in again.stdout

    app = open_application(storage)
    try:
        assert verify_log(app).ok
        [reply] = app.events.get(UUID(ids["burned"]), gt=3, lte=4)
        assert isinstance(reply.message, Sealed)
        assert app.history(ids["burned"])[3].data["message"].startswith("Dear John")
        assert app.get_person(ids["jim"]).display_name == "Jim"
        app.handle(ADMIN, ForgetPerson(ids["jim"]))
        assert app.history(ids["burned"])[3].data == {"message": None, "erased": True}
        assert verify_log(app).ok
    finally:
        app.close()
