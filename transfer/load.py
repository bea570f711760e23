"""Loads an export file into an empty database: every event at its original position, in
one transaction, only once the whole file has been read and every hash chain in it
verified (with this database's cipher and compressor settings). Anything wrong (a
non-empty target, a file cut short, an edited event) writes nothing.

Afterwards the projections are rebuilt here from the imported log, and the webhook
follower starts after it: endpoints keep their secrets and settings, and the imported
history is not delivered again (it was, from the source)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.audit import ChainVerifier, Finding
from projections.rebuild import Rebuilt, rebuild
from storage.bootstrap import open_application
from storage.database import Storage
from transfer.keys import PassphraseNeededError, open_keys
from transfer.lines import BadExportError, Positioned, parse_header, parse_line
from transfer.targets import open_target
from webhooks.follower import start_after

BATCH = 1000
Progress = Callable[[int, int], None]  # (position reached, last position)


class TargetNotEmptyError(Exception):
    """The database to import into already holds events."""


@dataclass(frozen=True)
class Imported:
    events: int
    last_position: int
    rebuilt: Rebuilt
    webhooks_start_after_import: bool  # False: a worker ran meanwhile and may resend history


def import_log(
    storage: Storage,
    source: Path,
    *,
    progress: Progress | None = None,
    rebuild_progress: Callable[[int, int, int], None] | None = None,
    passphrase: bytes | None = None,
) -> Imported:
    app = open_application(storage)  # creates the event tables if the database is new
    try:
        table: str = getattr(app.recorder, "events_table_name")  # noqa: B009 - not in the type
        with source.open(encoding="utf-8") as file, open_target(storage, table) as target:
            present = target.event_count()
            if present:
                msg = (
                    f"{storage.display} already holds {present:,} events: import only into "
                    "an empty database (nothing was written)"
                )
                raise TargetNotEmptyError(msg)
            verifier = ChainVerifier(app.mapper)
            events = last = 0
            batch: list[Positioned] = []
            end = _header(file)
            trailer: dict[str, Any] = {}
            for item in _events(file, end, trailer):
                verifier.feed(item.event, item.position)
                batch.append(item)
                events, last = events + 1, item.position
                if len(batch) == BATCH:
                    target.insert(batch)
                    batch.clear()
                    if progress is not None:
                        progress(last, end)
            target.insert(batch)
            report = verifier.finish()
            if not report.ok:
                raise BadExportError(_refusal(report.findings[0]))
            if "keys" in trailer:
                if passphrase is None:
                    msg = "the export holds sealed keys: pass its passphrase (nothing was written)"
                    raise PassphraseNeededError(msg)
                target.insert_keys(open_keys(trailer["keys"], passphrase))
            target.finish(last)
    finally:
        app.close()
    if progress is not None:
        progress(last, last)
    rebuilt = rebuild(storage, progress=rebuild_progress)
    return Imported(events, last, rebuilt, start_after(storage, last))


def _header(file: Any) -> int:
    """The last position the export covers, from its header line."""
    first = file.readline()
    if not first:
        msg = "the file is empty: not an introductions export"
        raise BadExportError(msg)
    last_position = parse_header(1, first).get("lastPosition")
    if not isinstance(last_position, int) or last_position < 0:
        msg = f"line 1: lastPosition {last_position!r} is not a position"
        raise BadExportError(msg)
    return last_position


def _events(file: Any, last_position: int, trailer: dict[str, Any]) -> Iterator[Positioned]:
    """The event lines in order, checked for shape, order and completeness; the end line
    is left in `trailer`."""
    count, last, end = 0, 0, None
    for number, text in enumerate(file, start=2):
        if end is not None:
            msg = f"line {number}: more lines after the end line"
            raise BadExportError(msg)
        item = parse_line(number, text)
        if isinstance(item, dict):
            end = item
            trailer.update(item)
            continue
        if item.position <= last:
            msg = f"line {number}: position {item.position} does not follow {last}"
            raise BadExportError(msg)
        count, last = count + 1, item.position
        yield item
    if end is None:
        msg = f"the file ends after {count:,} events without its end line: it is incomplete"
        raise BadExportError(msg)
    if not (end.get("events") == count and end.get("lastPosition") == last == last_position):
        msg = (
            f"the end line counts {end.get('events')} events up to position "
            f"{end.get('lastPosition')}, the file holds {count} up to {last}: it was edited"
        )
        raise BadExportError(msg)


def _refusal(finding: Finding) -> str:
    where = f"at position {finding.position} (aggregate {finding.aggregate_id} v{finding.version})"
    hint = ""
    if "cannot be decoded" in finding.problem:
        hint = (
            "; the state is copied byte for byte, so this database must use the source's "
            "CIPHER_TOPIC, CIPHER_KEY and COMPRESSOR_TOPIC settings"
        )
    return f"the event {where} does not verify: {finding.problem}{hint} (nothing was written)"
