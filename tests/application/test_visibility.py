"""An introduction is visible to its introducer, its two parties and the admin. To
anyone else it does not exist: the same NotFound as a random id, for reads and commands,
and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from domain.application import IntroductionsApp
from domain.errors import Forbidden, NotFound
from domain.introduction import ADMIN
from tests.application.journeys import People, consented, last_position, proposed, replied

Use = Callable[[IntroductionsApp, str, str, People], object]
USES: dict[str, Use] = {
    "get_introduction": lambda a, who, i, p: a.get_introduction(i, actor_id=who),
    "history": lambda a, who, i, p: a.history(i, actor_id=who),
    "introduction_at": lambda a, who, i, p: a.introduction_at(i, version=1, actor_id=who),
    "consent": lambda a, who, i, p: a.consent(who, i),
    "decline": lambda a, who, i, p: a.decline(who, i, "no"),
    "reply": lambda a, who, i, p: a.record_reply(who, i, "hi"),
    "relationship": lambda a, who, i, p: a.record_relationship_formed(who, i),
    "burn": lambda a, who, i, p: a.burn(who, i, p.requester, "OTHER"),
}


def burned(app: IntroductionsApp, people: People) -> UUID:
    introduction_id = replied(app, people)
    app.burn(people.target, introduction_id, people.requester, "TRANSACTIONAL_ASK")
    return introduction_id


STATES = {"proposed": proposed, "consented": consented, "replied": replied, "burned": burned}


def not_found_message(use: str, app: IntroductionsApp, who: str, i: str, p: People) -> str:
    with pytest.raises(NotFound) as raised:
        USES[use](app, who, i, p)
    return raised.value.message.replace(i, "<id>")


@pytest.mark.parametrize("state", list(STATES))
def test_an_outsider_gets_the_same_not_found_as_for_a_random_id(
    app: IntroductionsApp, people: People, state: str
) -> None:
    introduction_id = str(STATES[state](app, people))
    version = app.get_introduction(introduction_id).version
    position = last_position(app)

    for use in USES:
        as_outsider = not_found_message(use, app, people.outsider, introduction_id, people)
        random_id = not_found_message(use, app, people.outsider, str(uuid4()), people)
        assert as_outsider == random_id, use

    assert last_position(app) == position
    assert app.get_introduction(introduction_id).version == version


def test_the_introducer_the_parties_and_the_admin_can_read_it(
    app: IntroductionsApp, people: People
) -> None:
    introduction_id = proposed(app, people)
    for who in (people.introducer, people.requester, people.target, ADMIN):
        assert app.get_introduction(introduction_id, actor_id=who).id == introduction_id
        assert len(app.history(introduction_id, actor_id=who)) == 1


@pytest.mark.parametrize("use", ["consent", "decline", "reply", "relationship", "burn"])
def test_the_admin_sees_but_cannot_act_as_a_party(
    app: IntroductionsApp, people: People, use: str
) -> None:
    introduction_id = str(replied(app, people))
    position = last_position(app)
    with pytest.raises(Forbidden):
        USES[use](app, ADMIN, introduction_id, people)
    assert last_position(app) == position
