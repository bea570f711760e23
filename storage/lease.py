"""The background lease: which one process of a deployment runs the background work.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`), taken on a
connection of its own and keyed by the database and schema. The server frees it the
moment that connection ends, so a holder killed by SIGKILL is replaced at a standby's
next try; keepalives bound how long a holder cut off by the network keeps it.

SQLite: an exclusive `flock` on a file beside the database (`<file>.lease`), chosen
over a lease row because the kernel frees it the instant the holder's process ends and
holding it writes nothing (no renewals through SQLite's one write lock while idle).

Who holds it (pid and host) is read from the database (PostgreSQL: the lock's session,
named by its application_name) or from the lease file, which its holder writes."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from storage.database import Storage

log = logging.getLogger(__name__)
APPLICATION_NAME_PREFIX = "introductions-lease "
# The server drops a silent holder's session, and with it the lock, after about
# idle + interval * count seconds; the holder notices its own loss as soon.
KEEPALIVES = {"keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}"

    @classmethod
    def this_process(cls) -> Holder:
        return cls(os.getpid(), socket.gethostname())

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        pid, _, host = text.strip().partition("@")
        return cls(int(pid), host) if pid.isdigit() and host else None

    def label(self) -> str:
        return f"{self.pid}@{self.host}"


class Lease(Protocol):
    def try_acquire(self) -> bool:
        """True if this process holds the lease now (it did already, or took it)."""

    def still_held(self) -> bool:
        """False once the holder has lost it (its connection ended, its file went)."""

    def holder(self) -> Holder | None:
        """Who holds the lease now, in any process; None if nobody does."""

    def release(self) -> None:
        """Gives the lease up (if held) and closes what it opened."""


def lease_for(storage: Storage) -> Lease:
    if storage.kind == "postgres":
        return AdvisoryLockLease(storage)
    path = storage.sqlite_path
    if path is None or path == ":memory:":
        return ProcessLease()  # a database no other process can open
    return FileLease(path + ".lease")


class AdvisoryLockLease:
    def __init__(self, storage: Storage) -> None:
        env = storage.env
        schema = env.get("POSTGRES_SCHEMA", "public")
        digest = hashlib.blake2b(
            f"introductions-background {env['POSTGRES_DBNAME']} {schema}".encode(), digest_size=8
        ).digest()
        self.key = int.from_bytes(digest) >> 1  # positive: pg_locks shows it as two oids
        self._connect_args: dict[str, Any] = {
            "host": env["POSTGRES_HOST"],
            "port": int(env["POSTGRES_PORT"]),
            "dbname": env["POSTGRES_DBNAME"],
            "user": env["POSTGRES_USER"],
            "password": env["POSTGRES_PASSWORD"] or None,
            "connect_timeout": int(env.get("POSTGRES_CONNECT_TIMEOUT", "5")),
            "autocommit": True,
            "keepalives": 1,
            **KEEPALIVES,
            "options": " ".join(f"-c tcp_{k}={v}" for k, v in KEEPALIVES.items()),
        }
        self._connection: Any = None
        self._held = False
        self._lock = threading.Lock()  # one connection, used by one thread at a time

    def _open(self) -> Any:
        """The lease's connection (kept open by holder and standby alike), named after
        this process so that the holder can be found from pg_locks."""
        import psycopg

        if self._connection is None or self._connection.closed:
            name = APPLICATION_NAME_PREFIX + Holder.this_process().label()
            self._connection = psycopg.connect(application_name=name, **self._connect_args)
        return self._connection

    def try_acquire(self) -> bool:
        with self._lock:
            if self._held:
                return True
            try:
                row = (
                    self._open().execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
                )
                self._held = bool(row[0])
            except Exception as e:
                log.debug("cannot try the lease: %s", e)
                self._close()
            return self._held

    def still_held(self) -> bool:
        with self._lock:
            if not self._held:
                return False
            try:
                self._connection.execute("SELECT 1")
            except Exception:
                self._close()  # the session ended, and the lock with it
            return self._held

    def holder(self) -> Holder | None:
        query = (
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            " AND l.classid::bigint = %s AND l.objid::bigint = %s"
        )
        with self._lock:
            try:
                row = self._open().execute(query, (self.key >> 32, self.key & 0xFFFFFFFF))
                found = row.fetchone()
            except Exception:
                self._close()
                raise
        if found is None:
            return None
        return Holder.parse(str(found[0]).removeprefix(APPLICATION_NAME_PREFIX))

    def release(self) -> None:
        with self._lock:
            if self._held and self._connection is not None:
                with contextlib.suppress(Exception):
                    self._connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            self._close()

    def _close(self) -> None:
        self._held = False
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()


class FileLease:
    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self._fd is not None:
                return True
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            os.ftruncate(fd, 0)
            os.pwrite(fd, Holder.this_process().label().encode(), 0)
            self._fd = fd
            return True

    def still_held(self) -> bool:
        with self._lock:
            if self._fd is None:
                return False
            try:
                # A lease file deleted or replaced under the holder would let another take one.
                held = os.fstat(self._fd).st_ino == os.stat(self.path).st_ino
            except OSError:
                held = False
            if not held:
                self._close()
            return held

    def holder(self) -> Holder | None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return Holder.parse(os.pread(fd, 200, 0).decode(errors="replace"))
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None  # nobody holds it
        finally:
            os.close(fd)

    def release(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # frees the flock


class ProcessLease:
    """For an in-memory database, seen by this process alone: always this process's."""

    def __init__(self) -> None:
        self._held = False

    def try_acquire(self) -> bool:
        self._held = True
        return True

    def still_held(self) -> bool:
        return self._held

    def holder(self) -> Holder | None:
        return Holder.this_process() if self._held else None

    def release(self) -> None:
        self._held = False
