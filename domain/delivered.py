"""The events clients receive as they happen (webhooks and subscriptions), declared once
by type name and by the topic stored with each: every Introduction event, and a person's
profile update. Other events (people registered, tokens, indexes, endpoints) stay inside."""

from __future__ import annotations

from eventsourcing.utils import get_topic

from domain.chain import ChainedAggregate
from domain.introduction import INTRODUCTION_EVENTS
from domain.person import Person

PERSON_EVENTS: tuple[type[ChainedAggregate.Event], ...] = (
    Person.PersonProfileUpdated,
    Person.PersonForgotten,  # the cue to erase any copy of the person's data
)
DELIVERED_EVENTS = INTRODUCTION_EVENTS + PERSON_EVENTS
DELIVERED_EVENT_TYPES = tuple(e.__name__ for e in DELIVERED_EVENTS)
DELIVERED_TOPICS = {get_topic(e): e.__name__ for e in DELIVERED_EVENTS}
PERSON_TOPICS = {get_topic(e): e.__name__ for e in PERSON_EVENTS}


def is_person_event(event: object) -> bool:
    """A person's event: its aggregate id is a person's, not an introduction's."""
    return isinstance(event, PERSON_EVENTS)
