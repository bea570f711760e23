"""The one place where INTRODUCTIONS_DATABASE_URL becomes eventsourcing's settings."""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from config import Settings
from domain.errors import ConfigurationError

DATABASE_URL_VARIABLE = "INTRODUCTIONS_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///./introductions.db"
SQLITE_BUSY_TIMEOUT_SECONDS = "30"
# Each pool of a process (README, "PostgreSQL connections") keeps this many connections
# open while idle and grows on demand up to POOL_SIZE + MAX_OVERFLOW; a connection above
# the minimum closes after ten idle minutes (psycopg_pool's max_idle).
POSTGRES_POOL_SIZE, POSTGRES_MAX_OVERFLOW = "1", "14"


@dataclass(frozen=True)
class Storage:
    kind: str  # "sqlite" or "postgres"
    url: str
    env: dict[str, str]  # eventsourcing's environment settings
    sqlite_path: str | None = None

    @property
    def display(self) -> str:
        """The URL without its password, safe for logs and errors."""
        return redact(self.url)


def redact(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        # Too malformed to parse (an unclosed "[", say): hide all between "user:" and "@".
        return re.sub(r"(://[^:/@]*:)[^/]*@", r"\1***@", url, count=1)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def storage_from_environment(environ: dict[str, str] | None = None) -> Storage:
    return parse_database_url(Settings.read(environ).database_url)


def parse_database_url(url: str) -> Storage:
    def fail(why: str) -> ConfigurationError:
        return ConfigurationError(f"{DATABASE_URL_VARIABLE}={redact(url)!r} {why}")

    scheme, sep, rest = url.partition("://")
    if not sep:
        msg = "is not a URL: use sqlite:///path/to/file.db or postgresql://user:pass@host:port/db"
        raise fail(msg)
    scheme = scheme.lower()
    if scheme == "sqlite":
        return _sqlite(url, rest, fail)
    if scheme in {"postgresql", "postgres", "postgresql+psycopg"}:
        return _postgres(url, fail)
    msg = f"has an unknown scheme {scheme!r}: use sqlite or postgresql"
    raise fail(msg)


def _sqlite(url: str, rest: str, fail: object) -> Storage:
    assert callable(fail)
    if not rest.startswith("/"):
        raise fail("needs three slashes before the path, as in sqlite:///./introductions.db")
    path = unquote(rest[1:].split("?", 1)[0])
    if not path:
        raise fail("names no file: use sqlite:///./introductions.db")
    if path != ":memory:":
        parent = Path(path).expanduser().resolve().parent
        if not parent.is_dir():
            raise fail(f"names a file in {str(parent)!r}, a folder that does not exist")
        path = str(Path(path).expanduser())
    env = {
        "PERSISTENCE_MODULE": "storage.sqlite:SQLiteFactory",  # the library's, with settings
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": SQLITE_BUSY_TIMEOUT_SECONDS,
        "APPLICATION_RECORDER_TOPIC": "storage.sqlite:SQLiteLogRecorder",
    }
    return Storage(kind="sqlite", url=url, env=env, sqlite_path=path)


def _postgres(url: str, fail: object) -> Storage:
    assert callable(fail)
    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError as e:
        raise fail(f"is malformed: {e}") from None
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname:
        raise fail("needs a host and a database name, as in postgresql://user:pass@host:5432/db")
    query = parse_qs(parts.query)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": query.get("connect_timeout", ["5"])[0],
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_POOL_SIZE": query.get("pool_size", [POSTGRES_POOL_SIZE])[0],
        "POSTGRES_MAX_OVERFLOW": query.get("max_overflow", [POSTGRES_MAX_OVERFLOW])[0],
        "APPLICATION_RECORDER_TOPIC": "storage.postgres:PostgresLogRecorder",
    }
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"][0]
    return Storage(kind="postgres", url=url, env=env)


def backend_of(recorder: object) -> str | None:
    """ "sqlite" or "postgres": the library module a recorder's class comes from, through
    any subclass of ours (storage.sqlite's and storage.postgres's)."""
    for cls in type(recorder).__mro__:
        if cls.__module__ in ("eventsourcing.sqlite", "eventsourcing.postgres"):
            return cls.__module__.rsplit(".", 1)[1]
    return None


def create_owner_only(path: str) -> None:
    """Creates an empty SQLite file readable only by its owner, whatever the umask (the
    log holds webhook secrets in clear). SQLite gives its WAL and shared-memory files the
    database file's mode. An existing file keeps the mode its operator gave it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return
    os.chmod(path, 0o600)  # a umask that took the owner's own bits would leave it unopenable


def use_wal(storage: Storage) -> None:
    """Creates a new SQLite file owner-only, and switches it to write-ahead logging (the
    library does it too, on each new connection). Processes opening a new file together
    each try the switch, and SQLite refuses it to all but one ("database is locked")
    without waiting out the busy timeout: here each tries again until the switch is
    made, by it or another."""
    path = storage.sqlite_path
    if storage.kind != "sqlite" or path is None or path == ":memory:":
        return
    create_owner_only(path)
    deadline = time.monotonic() + float(SQLITE_BUSY_TIMEOUT_SECONDS)
    while True:
        try:
            with closing(sqlite3.connect(path, timeout=float(SQLITE_BUSY_TIMEOUT_SECONDS))) as c:
                if c.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    c.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))  # noqa: S311 - not a secret
