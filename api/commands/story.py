"""`introductions demo`: records the seed story, so there is something to look at."""

from __future__ import annotations

import typer

from domain.application import IntroductionsApp
from domain.commands import (
    Burn,
    Consent,
    Propose,
    RecordRelationshipFormed,
    RecordReply,
    RegisterPerson,
)
from domain.introduction import ADMIN
from storage.bootstrap import open_application


def record_seed_story(app: IntroductionsApp) -> dict[str, str]:
    """Jason introduces Jim to John and it is burned; Kent's introduction of Alice to Bob
    becomes a relationship. Returns the ids by name."""

    def person(name: str, organization: str | None, offers: list[str], needs: list[str]) -> str:
        registered = app.handle(ADMIN, RegisterPerson(name, organization, offers, needs))
        return str(registered.person.id)

    jason = person("Jason", "JibberJobber", ["introductions", "networking"], [])
    jim = person("Jim", None, ["project management"], ["a job"])
    john = person("John", "Acme Hiring", ["jobs"], ["experienced project managers"])
    kent = person("Kent", None, ["introductions"], [])
    alice = person("Alice", "Northwind", ["data engineering"], ["a co-founder"])
    bob = person("Bob", "Contoso", ["product design"], ["a data engineer"])

    burned = app.handle(
        jason,
        Propose(
            jim,
            john,
            context="Jim manages projects; John hires project managers. Each may help the other.",
            guidelines="Learn what John's organization does before you write; build a "
            "relationship.",
        ),
    ).introduction.id
    app.handle(jim, Consent(burned))
    app.handle(john, Consent(burned))
    app.handle(
        jim,
        RecordReply(
            burned,
            "Dear John, I am interested in x because of y. Please tell me what you have for me.",
        ),
    )
    app.handle(
        john,
        Burn(
            burned,
            blamed_person_id=jim,
            reason="TRANSACTIONAL_ASK",
            cause="SKILL",
            note="Just one more 'what can you do for me' e-mail.",
        ),
    )

    formed = app.handle(
        kent,
        Propose(
            alice,
            bob,
            context="Alice builds data platforms; Bob designs the product that needs one.",
        ),
    ).introduction.id
    app.handle(alice, Consent(formed))
    app.handle(bob, Consent(formed))
    app.handle(bob, RecordReply(formed, "Alice, I read your talk on pipelines; coffee next week?"))
    app.handle(kent, RecordRelationshipFormed(formed, "They are building it together."))
    return {
        "jason": jason,
        "jim": jim,
        "john": john,
        "kent": kent,
        "alice": alice,
        "bob": bob,
        "burned": str(burned),
        "formed": str(formed),
    }


def demo() -> None:
    """Record the seed story (Jason, Jim and John; Kent, Alice and Bob)."""
    app = open_application()
    try:
        ids = record_seed_story(app)
    finally:
        app.close()
    typer.echo("Recorded the seed story.")
    for name in ("jason", "jim", "john", "kent", "alice", "bob"):
        typer.echo(f"  {name.capitalize():6} {ids[name]}")
    typer.echo(f"  Burned introduction (Jason: Jim -> John): {ids['burned']}")
    typer.echo(f"  Formed introduction (Kent: Alice -> Bob): {ids['formed']}")
    typer.echo("Look at them with:")
    typer.echo(f"  introductions history {ids['burned']}")
    typer.echo(f"  introductions history {ids['formed']} --json")


def register(app: typer.Typer) -> None:
    app.command()(demo)
