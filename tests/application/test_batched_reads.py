"""Lists load their aggregates in one query (the recorders' select_events_of_many in
storage/sqlite.py and storage/postgres.py), and read again only the events recorded since
the last time, without ever changing an aggregate a reader already holds."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from tests.application.journeys import People, consented, proposed, register_people


def _counting_events(app: IntroductionsApp, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    read: list[int] = []
    original = app._select_events_of_many

    def counted(*args: Any) -> Any:
        events = original(*args)
        read.append(len(events))
        return events

    monkeypatch.setattr(app, "_select_events_of_many", counted)
    return read


def test_a_list_read_again_reads_only_what_changed_and_shows_it(
    app: IntroductionsApp, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    others = register_people(app, "others ")
    changing, still = str(proposed(app, people)), str(consented(app, others))
    read = _counting_events(app, monkeypatch)

    first = app.get_introductions_batched([changing, still], ADMIN)
    again = app.get_introductions_batched([changing, still], ADMIN)
    app.consent(people.requester, changing)
    after_consent = app.get_introductions_batched([changing, still], ADMIN)

    assert read[1] == 0  # nothing new: nothing replayed
    assert read[2] == 1  # the consent only
    assert after_consent[changing].version == first[changing].version + 1
    assert after_consent[changing].consented_by == [people.requester]
    assert after_consent[still] is first[still] is again[still]
    # What a reader got before the change is as it was: the new version is a new object.
    assert first[changing].version == 1
    assert first[changing].consented_by == []
    assert vars(after_consent[changing]) == vars(app.get_introduction(changing))


def test_a_list_shows_only_what_the_actor_may_see_from_held_copies_too(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = str(proposed(app, people))
    assert introduction_id in app.get_introductions_batched([introduction_id], ADMIN)
    outsider = register_people(app, "outsider ").requester
    assert app.get_introductions_batched([introduction_id], outsider) == {}
    assert introduction_id in app.get_introductions_batched([introduction_id], people.target)
