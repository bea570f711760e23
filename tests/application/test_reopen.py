"""What was written survives closing the application and opening it again."""

from __future__ import annotations

import pytest

from api.commands.story import record_seed_story
from domain.errors import BadInput
from storage.bootstrap import open_application
from storage.database import Storage
from tests.conftest import FakeClock


def test_the_story_survives_closing_and_reopening(storage: Storage, clock: FakeClock) -> None:
    first = open_application(storage, clock=clock)
    try:
        ids = record_seed_story(first)
        history_before = first.history(ids["burned"])
        position_before = first.recorder.max_notification_id()
    finally:
        first.close()

    second = open_application(storage, clock=clock)
    try:
        assert second.get_introduction(ids["burned"]).status.value == "BURNED"
        assert second.get_introduction(ids["formed"]).status.value == "RELATIONSHIP_FORMED"
        assert second.get_person(ids["jason"]).display_name == "Jason"
        assert second.history(ids["burned"]) == history_before
        assert second.recorder.max_notification_id() == position_before

        # It goes on from where it was: the pair rule still knows the formed one ended,
        # and an open one still blocks its pair.
        again = second.propose(ids["kent"], ids["bob"], ids["alice"], context="Round two.")
        assert again.position > (position_before or 0)
        with pytest.raises(BadInput):
            second.propose(ids["kent"], ids["alice"], ids["bob"], context="Round three.")
    finally:
        second.close()

    third = open_application(storage, clock=clock)
    try:
        assert third.get_introduction(again.introduction.id).status.value == "PROPOSED"
    finally:
        third.close()
