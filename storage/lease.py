"""The background lease: which one process of a deployment runs the background work.

PostgreSQL: a session-level advisory lock, taken on a connection of its own and keyed
by the database and schema. The server frees it the moment that connection ends; a
standby waits for it on that same connection (`pg_advisory_lock` under a lock_timeout),
so the server hands it over at once. Keepalives bound how long a holder cut off by the
network keeps it.

SQLite: an exclusive `flock` on a file beside the database (`<file>.lease`), chosen
over a lease row because the kernel frees it the instant the holder's process ends and
holding it writes nothing (no renewals through SQLite's one write lock while idle). A
standby waits for it in a blocking `flock` in a thread of its own.

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
from pathlib import Path
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

    def wait_acquire(self, timeout: float) -> bool:
        """Like try_acquire, waiting up to `timeout` seconds for the lease to free."""

    def wake(self) -> None:
        """Makes a wait_acquire in another thread return soon (the process stops)."""

    def still_held(self) -> bool:
        """False once the holder has lost it (its connection ended, its file went)."""

    def holder(self) -> Holder | None:
        """Who holds the lease now, in any process; None if nobody does."""

    def waiting(self) -> list[Holder]:
        """The standbys waiting for the lock now (on SQLite, those of this host)."""

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
        # While a standby waits on the connection, holder() answers what it last saw.
        self._last_holder: Holder | None = None

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

    def wait_acquire(self, timeout: float) -> bool:
        with self._lock:
            if self._held:
                return True
            try:
                connection = self._open()
                connection.execute(f"SET lock_timeout = {max(1, int(timeout * 1000))}")
                connection.execute("SELECT pg_advisory_lock(%s)", (self.key,))
                self._held = True
            except psycopg_errors().LockNotAvailable:
                pass  # still held by another
            except Exception as e:
                log.debug("cannot wait for the lease: %s", e)
                self._close()
            return self._held

    def wake(self) -> None:
        connection = self._connection
        if connection is not None and not self._held:
            with contextlib.suppress(Exception):
                connection.cancel_safe(timeout=2)  # ends a pg_advisory_lock waiting

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
        if not self._lock.acquire(timeout=0.05):
            return self._last_holder  # the connection waits for the lock
        try:
            found = self._sessions(granted=True)
        finally:
            self._lock.release()
        self._last_holder = found[0] if found else None
        return self._last_holder

    def waiting(self) -> list[Holder]:
        with self._lock:
            return self._sessions(granted=False)

    def _sessions(self, *, granted: bool) -> list[Holder]:
        """Those holding the lock (granted) or waiting for it, named by application_name."""
        query = (
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted = %s AND l.objsubid = 1"
            " AND l.classid::bigint = %s AND l.objid::bigint = %s"
        )
        try:
            rows = self._open().execute(query, (granted, self.key >> 32, self.key & 0xFFFFFFFF))
            names = [str(row[0]) for row in rows.fetchall()]
        except Exception:
            self._close()
            raise
        found = (Holder.parse(name.removeprefix(APPLICATION_NAME_PREFIX)) for name in names)
        return [holder for holder in found if holder is not None]

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


def psycopg_errors() -> Any:
    import psycopg.errors

    return psycopg.errors


class FileLease:
    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._waiter: threading.Thread | None = None  # blocked in flock while it lives
        self._waited = threading.Event()  # set when the waiter took the lease, or by wake()
        self._error: OSError | None = None  # why the waiter could not wait

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
            self._hold(fd)
            return True

    def wait_acquire(self, timeout: float) -> bool:
        """Waits on the waiter thread, started once and blocked in flock until the lease
        frees; it cannot be interrupted, so one left waiting on release() frees what it
        takes at once."""
        with self._lock:
            if self._fd is not None:
                return True
            self._waited.clear()
            if self._waiter is None:
                self._waiter = threading.Thread(target=self._wait, name="lease-wait", daemon=True)
                self._waiter.start()
        self._waited.wait(timeout)
        with self._lock:
            error, self._error = self._error, None
            if error is not None:
                raise error  # for LeasedWork to log once per spell of failures
            return self._fd is not None

    def wake(self) -> None:
        self._waited.set()

    def _wait(self) -> None:
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as e:
                with self._lock:
                    self._waiter, self._error = None, e
                return
            with self._lock:
                replaced = self._inode_changed(fd)
                if not replaced:
                    self._waiter = None
                    if self._fd is None and not self._waited.is_set():
                        self._hold(fd)
                    else:
                        os.close(fd)  # taken meanwhile, or nobody waits any longer
                    self._waited.set()
                    return
            os.close(fd)  # a lease file replaced while waiting: wait on the new one

    def _inode_changed(self, fd: int) -> bool:
        try:
            return os.fstat(fd).st_ino != os.stat(self.path).st_ino
        except OSError:
            return True

    def _hold(self, fd: int) -> None:
        os.ftruncate(fd, 0)
        os.pwrite(fd, Holder.this_process().label().encode(), 0)
        self._fd = fd

    def still_held(self) -> bool:
        with self._lock:
            if self._fd is None:
                return False
            # A lease file deleted or replaced under the holder would let another take one.
            held = not self._inode_changed(self._fd)
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

    def waiting(self) -> list[Holder]:
        """From /proc/locks, where a blocked flock shows as
        "N: -> FLOCK ADVISORY WRITE <pid> <major>:<minor>:<inode> ...", on Linux."""
        try:
            inode = str(os.stat(self.path).st_ino)
            lines = Path("/proc/locks").read_text().splitlines()
        except OSError:
            return []
        host = socket.gethostname()
        return [
            Holder(int(fields[5]), host)
            for fields in (line.split() for line in lines)
            if len(fields) > 6
            and fields[1:3] == ["->", "FLOCK"]
            and fields[6].rsplit(":", 1)[-1] == inode
        ]

    def release(self) -> None:
        with self._lock:
            self._waited.set()  # a waiter still blocked frees what it takes
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

    def wait_acquire(self, timeout: float) -> bool:
        return self.try_acquire()

    def wake(self) -> None:
        pass

    def still_held(self) -> bool:
        return self._held

    def holder(self) -> Holder | None:
        return Holder.this_process() if self._held else None

    def waiting(self) -> list[Holder]:
        return []

    def release(self) -> None:
        self._held = False
