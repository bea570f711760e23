"""The story the service exists for: Jason's introduction of Jim to John is burned;
Kent's introduction of Alice to Bob becomes a relationship."""

from __future__ import annotations

from api.commands.story import record_seed_story
from domain.application import IntroductionsApp
from domain.introduction import Status

BURNED_STORY = [
    ("IntroductionProposed", "jason"),
    ("ConsentGiven", "jim"),
    ("ConsentGiven", "john"),
    ("ReplyRecorded", "jim"),
    ("IntroductionBurned", "john"),
]


def test_the_seed_story_ends_burned_and_formed(app: IntroductionsApp) -> None:
    ids = record_seed_story(app)

    burned = app.get_introduction(ids["burned"])
    formed = app.get_introduction(ids["formed"])
    assert burned.status is Status.BURNED
    assert formed.status is Status.RELATIONSHIP_FORMED
    assert (burned.introducer_id, burned.requester_id, burned.target_id) == (
        ids["jason"],
        ids["jim"],
        ids["john"],
    )
    assert burned.outcome["blamed_person_id"] == ids["jim"]
    assert app.get_person(ids["john"]).organization == "Acme Hiring"
    assert app.get_person(ids["jim"]).needs == ["a job"]


def test_the_burned_introduction_has_its_five_events_in_order(app: IntroductionsApp) -> None:
    ids = record_seed_story(app)

    history = app.history(ids["burned"])

    assert [(e.type, e.actor_id) for e in history] == [
        (event_type, ids[who]) for event_type, who in BURNED_STORY
    ]
    assert [e.version for e in history] == [1, 2, 3, 4, 5]
    assert all(str(e.introduction_id) == ids["burned"] for e in history)
    assert history[3].data == {
        "message": "Dear John, I am interested in x because of y. "
        "Please tell me what you have for me."
    }
    assert history[4].data == {
        "blamed_person_id": ids["jim"],
        "reason": "TRANSACTIONAL_ASK",
        "cause": "SKILL",
        "note": "Just one more 'what can you do for me' e-mail.",
    }
    times = [e.occurred_at for e in history]
    assert times == sorted(times)


def test_the_formed_introduction_was_recorded_by_its_introducer(app: IntroductionsApp) -> None:
    ids = record_seed_story(app)
    history = app.history(ids["formed"])
    assert [e.type for e in history][-1] == "RelationshipFormed"
    assert history[-1].actor_id == ids["kent"]
    assert history[-1].data == {"note": "They are building it together."}
