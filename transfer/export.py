"""Writes every stored event of the configured database to an export file."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from domain.audit import log_notifications
from storage.bootstrap import open_application
from storage.database import Storage
from storage.personal_keys import read_key_tables
from transfer import lines
from transfer.keys import PassphraseNeededError, seal_keys

Progress = Callable[[int, int], None]  # (position reached, last position)


@dataclass(frozen=True)
class Exported:
    events: int
    last_position: int


def export_log(
    storage: Storage,
    output: Path,
    *,
    progress: Progress | None = None,
    passphrase: bytes | None = None,
) -> Exported:
    """Every event up to the end of the log as it is when the export starts, in log
    order, and the keys of personal data sealed under `passphrase` (transfer.keys) in
    the end line. Written to a temporary file beside `output` and renamed at the end, so
    that `output` is either a complete export or untouched."""
    app = open_application(storage)
    partial = output.with_name(f".{output.name}.partial")
    try:
        key_rows = read_key_tables(app.recorder)
        if key_rows["personal_keys"] and passphrase is None:
            msg = (
                "the log holds keys of personal data: pass a passphrase to seal them in "
                "the export (nothing was written)"
            )
            raise PassphraseNeededError(msg)
        end = app.recorder.max_notification_id() or 0
        events = 0
        # Owner-only, like the database: the log holds webhook secrets in clear.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a partial file left by a crash may have had another mode
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(lines.header(app.name, end) + "\n")
            for batch in log_notifications(app, stop=end):
                for notification in batch:
                    out.write(lines.event_line(notification, app.mapper) + "\n")
                events += len(batch)
                if progress is not None:
                    progress(batch[-1].id, end)
            sealed = None if passphrase is None else seal_keys(key_rows, passphrase)
            out.write(lines.trailer(events, end, sealed) + "\n")
            out.flush()
            os.fsync(out.fileno())
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
        app.close()
    return Exported(events, end)
