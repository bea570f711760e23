"""Bringing an introduction to a given state through the application's use cases."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.application import IntroductionsApp
from domain.introduction import ADMIN


@dataclass(frozen=True)
class People:
    introducer: str
    requester: str
    target: str
    outsider: str

    def id_of(self, role: str) -> str:
        return ADMIN if role == "admin" else str(getattr(self, role))


def register_people(app: IntroductionsApp, prefix: str = "") -> People:
    def person(name: str) -> str:
        return str(app.register_person(ADMIN, f"{prefix}{name}").person.id)

    return People(person("Jason"), person("Jim"), person("John"), person("Olga"))


def proposed(app: IntroductionsApp, people: People) -> UUID:
    return app.propose(
        people.introducer, people.requester, people.target, context="You two should talk."
    ).introduction.id


def consented(app: IntroductionsApp, people: People) -> UUID:
    introduction_id = proposed(app, people)
    app.consent(people.requester, introduction_id)
    app.consent(people.target, introduction_id)
    return introduction_id


def replied(app: IntroductionsApp, people: People) -> UUID:
    introduction_id = consented(app, people)
    app.record_reply(people.requester, introduction_id, "Hello John.")
    return introduction_id


def last_position(app: IntroductionsApp) -> int:
    return app.recorder.max_notification_id() or 0
