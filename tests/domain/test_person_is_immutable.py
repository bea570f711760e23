"""Commands trust a cached Person without asking the database (UseCaseBase._cached_person)
only because a person never changes after registering."""

from eventsourcing.domain import DomainEvent

from domain.person import Person


def test_a_person_has_one_event_registering_it() -> None:
    events = [
        v for v in vars(Person).values() if isinstance(v, type) and issubclass(v, DomainEvent)
    ]
    own = [e for e in events if e not in (Person.Event, Person.Created)]  # the library's bases
    assert [e.__name__ for e in own] == ["PersonRegistered"], (
        "Person gained an event: UseCaseBase._cached_person must then fast-forward"
    )
