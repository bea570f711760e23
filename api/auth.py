"""Who is calling: the admin (a token from the operator) or a person (a token issued by
the admin, stored only as a hash in the event store)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import threading
import time
from pathlib import Path

from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from domain.storage import Storage

ADMIN_TOKEN_VARIABLE = "INTRODUCTIONS_ADMIN_TOKEN"  # noqa: S105 - a name, not a secret
ADMIN_TOKEN_FILE_VARIABLE = "INTRODUCTIONS_ADMIN_TOKEN_FILE"  # noqa: S105 - a name, not a secret
ADMIN_TOKEN_FILE_NAME = "introductions-admin-token"  # noqa: S105 - a name, not a secret
MAX_TOKEN_LENGTH = 512  # far above any token we issue; longer ones are not even hashed


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def admin_token_path(storage: Storage, environ: dict[str, str] | None = None) -> Path:
    """Beside the SQLite file; for PostgreSQL, INTRODUCTIONS_ADMIN_TOKEN_FILE or the
    current directory."""
    environ = dict(os.environ) if environ is None else environ
    if environ.get(ADMIN_TOKEN_FILE_VARIABLE):
        return Path(environ[ADMIN_TOKEN_FILE_VARIABLE]).expanduser()
    if storage.kind == "sqlite" and storage.sqlite_path and storage.sqlite_path != ":memory:":
        db = Path(storage.sqlite_path).expanduser().resolve()
        return db.with_name(f"{db.name}.admin-token")
    return Path.cwd() / ADMIN_TOKEN_FILE_NAME


def ensure_admin_token_file(path: Path) -> bool:
    """Creates the file with a new token, readable only by its owner, unless it exists.
    Returns True when it created it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(32) + "\n")
    return True


def read_admin_token_file(path: Path) -> str:
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        msg = f"{path} is empty: delete it and start again to generate a new admin token"
        raise ValueError(msg)
    return token


def admin_token_digest(storage: Storage, environ: dict[str, str] | None = None) -> str:
    """The admin token's digest, from INTRODUCTIONS_ADMIN_TOKEN or the token file."""
    environ = dict(os.environ) if environ is None else environ
    token = environ.get(ADMIN_TOKEN_VARIABLE) or read_admin_token_file(
        admin_token_path(storage, environ)
    )
    return digest(token)


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


class KnownTokens:
    """Digests of person tokens seen lately, so that a busy client does not cost a storage
    read per request. Only successes are kept (garbage tokens cannot fill it), for a
    short time, so that revoking tokens later needs no more than this TTL to take effect."""

    def __init__(self, ttl: float = 60.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._known: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, token_digest: str) -> str | None:
        with self._lock:
            hit = self._known.get(token_digest)
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, token_digest: str, person_id: str) -> None:
        with self._lock:
            if len(self._known) >= self.size:
                self._known.clear()
            self._known[token_digest] = (person_id, time.monotonic() + self.ttl)


def actor_for(
    token: str | None, admin_digest: str, app: IntroductionsApp, known: KnownTokens | None = None
) -> str | None:
    """The actor id for a bearer token, or None. Blocking: call it in a thread."""
    if token is None:
        return None
    token_digest = digest(token)
    if hmac.compare_digest(token_digest, admin_digest):
        return ADMIN
    if known is not None and (person_id := known.get(token_digest)) is not None:
        return person_id
    person_id = app.authenticate(token)
    if person_id is not None and known is not None:
        known.put(token_digest, person_id)
    return person_id
