"""`introductions forget ID`: forgetPerson from the command line, as the admin; the
views are brought up to the forgetting before it returns, and on SQLite the write-ahead
log is emptied, so no copy of the person's data is left in the database."""

from __future__ import annotations

import typer

from domain.commands import ForgetPerson
from domain.errors import DomainError
from domain.introduction import ADMIN
from projections.fanout import Fanout
from projections.rebuild import fold_to_end
from projections.registry import open_views
from projections.settings import half_life_from_environment
from storage.bootstrap import open_application
from storage.database import storage_from_environment
from storage.personal_keys import scrub_after_forgetting


def forget(person_id: str = typer.Argument(..., help="The person's id.")) -> None:
    """Forget a person at their request: destroy their keys (a PersonForgotten event)."""
    storage = storage_from_environment()
    app = open_application(storage)
    try:
        result = app.handle(ADMIN, ForgetPerson(person_id))
        views = open_views(storage, half_life_days=half_life_from_environment(), clock=app.clock)
        try:
            # Folded here, whether or not a worker or a server folds it too.
            fold_to_end(app, Fanout(views.projections(), app.mapper, storage.url))
        finally:
            views.close()
        emptied = scrub_after_forgetting(app)
    except DomainError as e:
        typer.echo(f"introductions: {e.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        app.close()
    typer.echo(f"Forgot {result.person.id}: their keys are destroyed.")
    if not emptied:
        typer.echo("The SQLite log is still in use: run `introductions forget` again.", err=True)


def encrypt_existing() -> None:
    """Seal the personal fields of events stored before sealing (service stopped)."""
    from storage.encrypt_existing import encrypt_existing as run

    app = open_application()
    try:
        done = run(app)
    finally:
        app.close()
    if not done.aggregates:
        typer.echo("Every personal field is already sealed: nothing to do.")
        return
    typer.echo(
        f"Sealed {done.fields:,} personal fields of {done.aggregates:,} aggregates under "
        f"their keys, rewriting {done.events:,} events and their chain hashes; their "
        "snapshots were deleted. `introductions verify` checks the chains; checkpoints "
        "taken before no longer match: take a new one."
    )


def register(app: typer.Typer) -> None:
    app.command()(forget)
    app.command("encrypt-existing")(encrypt_existing)
