"""`introductions export` and `introductions import`: moving the whole service to another
database (SQLite to PostgreSQL, or back) through a file of JSON lines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storage.database import storage_from_environment

PassphraseFile = Annotated[
    Path | None,
    typer.Option(
        exists=True,
        dir_okay=False,
        help="A file whose first line is the passphrase that seals the keys of personal "
        "data in the export (the import needs the same one). Needed when there are keys.",
    ),
]


def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write (JSON lines).")],
    force: Annotated[bool, typer.Option(help="Overwrite the file if it exists.")] = False,
    passphrase_file: PassphraseFile = None,
) -> None:
    """Write every stored event (all aggregates, in log order, as stored) to a file that
    `introductions import` loads into an empty database of either kind."""
    from transfer.export import export_log
    from webhooks.store import open_store

    if output.exists() and not force:
        _fail(f"{output} exists: choose another file, or pass --force to overwrite it")
    if not output.parent.is_dir():
        _fail(f"{output.parent} is not a folder")
    from transfer.keys import PassphraseNeededError

    storage = storage_from_environment()
    try:
        with _bars() as task:
            exported = export_log(
                storage,
                output,
                progress=task("exporting events"),
                passphrase=_passphrase(passphrase_file),
            )
    except PassphraseNeededError as e:
        _fail(f"cannot export: {e}; give --passphrase-file")
    typer.echo(
        f"Exported {exported.events:,} events (log positions up to {exported.last_position:,})"
        f" from {storage.display} to {output}."
    )
    store = open_store(storage)
    try:
        pending = store.counts().get("PENDING", 0)
    finally:
        store.close()
    if pending:
        typer.echo(
            f"{pending:,} webhook deliveries were still pending: the import does not send "
            "the exported history again, so after it use replayWebhook(webhookId, since) "
            "for the events they carry (or export again once they are delivered)."
        )


def import_(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="An export file."),
    ],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Load an export into an empty database (INTRODUCTIONS_DATABASE_URL), then rebuild
    the projections there. A non-empty database or a damaged file writes nothing."""
    from transfer.keys import PassphraseNeededError
    from transfer.lines import BadExportError
    from transfer.load import TargetNotEmptyError, import_log

    storage = storage_from_environment()
    try:
        with _bars() as task:
            importing = task("importing events")
            rebuilding = task("rebuilding projections")
            imported = import_log(
                storage,
                file,
                progress=importing,
                rebuild_progress=lambda position, end, _events: rebuilding(position, end),
                passphrase=_passphrase(passphrase_file),
            )
    except (BadExportError, TargetNotEmptyError, PassphraseNeededError) as e:
        typer.echo(f"introductions: cannot import {file}: {e}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Imported {imported.events:,} events (log positions up to {imported.last_position:,})"
        f" into {storage.display}; rebuilt the projections in {imported.rebuilt.seconds:.1f} s."
    )
    if imported.webhooks_start_after_import:
        typer.echo(
            "Webhook endpoints keep their secrets; deliveries start with the next event "
            "(the imported history is not sent again)."
        )
    else:
        typer.echo(
            "A worker was already following this database: it may deliver the imported "
            "history to the webhook endpoints again (each with its original webhook-id)."
        )
    typer.echo("`introductions verify` checks every chain.")


def _passphrase(path: Path | None) -> bytes | None:
    if path is None:
        return None
    passphrase = (
        path.read_text(encoding="utf-8").splitlines()[0].strip() if path.stat().st_size else ""
    )
    if len(passphrase) < 12:
        _fail(f"the passphrase in {path} is shorter than 12 characters")
    return passphrase.encode()


@contextmanager
def _bars() -> Iterator[Callable[[str], Callable[[int, int], None]]]:
    """Progress bars on stderr, one per task: `task(label)` gives its update(done, total)."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:

        def task(label: str) -> Callable[[int, int], None]:
            task_id = bar.add_task(label, total=None)
            return lambda done, total: bar.update(task_id, completed=done, total=total)

        yield task


def _fail(message: str) -> NoReturn:
    typer.echo(f"introductions: {message}", err=True)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command()(export)
    app.command("import")(import_)
