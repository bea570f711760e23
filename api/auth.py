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
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from uuid import UUID

from config import Settings
from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from domain.token_use_cases import Credential
from domain.use_case_base import canonical_id
from storage.database import Storage

ADMIN_TOKEN_VARIABLE = "INTRODUCTIONS_ADMIN_TOKEN"  # noqa: S105 - a name, not a secret
ADMIN_TOKEN_FILE_VARIABLE = "INTRODUCTIONS_ADMIN_TOKEN_FILE"  # noqa: S105 - a name, not a secret
PREVIOUS_ADMIN_TOKEN_VARIABLE = "INTRODUCTIONS_ADMIN_TOKEN_PREVIOUS"  # noqa: S105 - a name
TOKEN_CACHE_VARIABLE = "INTRODUCTIONS_TOKEN_CACHE_SECONDS"  # noqa: S105 - a name
DEFAULT_TOKEN_CACHE_SECONDS = 5.0
MAX_TOKEN_CACHE_SECONDS = 60.0
ADMIN_TOKEN_FILE_NAME = "introductions-admin-token"  # noqa: S105 - a name, not a secret
MAX_TOKEN_LENGTH = 512  # far above any token we issue; longer ones are not even hashed


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def admin_token_path(storage: Storage, environ: dict[str, str] | None = None) -> Path:
    """Beside the SQLite file; for PostgreSQL, INTRODUCTIONS_ADMIN_TOKEN_FILE or the
    current directory."""
    token_file = Settings.read(environ).admin_token_file
    if token_file:
        return Path(token_file).expanduser()
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


def admin_tokens(storage: Storage, environ: dict[str, str] | None = None) -> list[str]:
    """The admin tokens accepted: INTRODUCTIONS_ADMIN_TOKEN (or the token file), and
    during a rotation INTRODUCTIONS_ADMIN_TOKEN_PREVIOUS as well."""
    settings = Settings.read(environ)
    current = settings.admin_token or read_admin_token_file(admin_token_path(storage, environ))
    previous = settings.admin_token_previous.strip()
    return [current, previous] if previous else [current]


def admin_token_digests(storage: Storage, environ: dict[str, str] | None = None) -> list[str]:
    return [digest(token) for token in admin_tokens(storage, environ)]


class SeveralAuthorizationHeaders(ValueError):
    """Which one would count is a guess two readers could make differently: refused."""


def authorization_header(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The Authorization header of an ASGI scope's headers, or None; several are refused.
    Authentication and the rate limit both read it here, so they see the same value."""
    values = [value for name, value in headers if name.lower() == b"authorization"]
    if len(values) > 1:
        raise SeveralAuthorizationHeaders
    return values[0].decode("latin-1") if values else None


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


class KnownTokens:
    """Person tokens seen lately, so that a busy client does not cost a storage read per
    request. Only successes are kept (garbage tokens cannot fill it), each until the
    earlier of its expiry and `ttl` seconds. A revocation in this process forgets the
    token at once; one in another process takes effect here within `ttl` seconds
    (INTRODUCTIONS_TOKEN_CACHE_SECONDS, 5 by default; 0 turns the cache off). Not
    cachetools.TTLCache: its entries share one lifetime, and a forget here calls
    `on_forget`."""

    def __init__(
        self,
        ttl: float = DEFAULT_TOKEN_CACHE_SECONDS,
        size: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.monotonic = monotonic
        self._known: dict[str, tuple[Credential, float]] = {}
        self._lock = threading.Lock()
        # Called after a token is forgotten, e.g. to close the revoked token's open sockets.
        self.on_forget: list[Callable[[], None]] = []

    def get(self, token_digest: str, now: datetime) -> Credential | None:
        with self._lock:
            hit = self._known.get(token_digest)
        if hit is None or hit[1] < self.monotonic():
            return None
        credential = hit[0]
        if credential.expires_at is not None and now >= credential.expires_at:
            return None
        return credential

    def put(self, token_digest: str, credential: Credential) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._known) >= self.size:
                self._known.clear()
            self._known[token_digest] = (credential, self.monotonic() + self.ttl)

    def forget_person(self, person_id: str) -> None:
        """Forgets every token of a person (forgotten at their request)."""
        with self._lock:
            gone = [d for d, (c, _) in self._known.items() if c.person_id == person_id]
            for token_digest in gone:
                del self._known[token_digest]
        for call in self.on_forget:
            call()

    def forget(self, token_id: UUID | str) -> None:
        with self._lock:
            key = canonical_id(token_id)
            gone = [d for d, (c, _) in self._known.items() if str(c.token_id) == key]
            for token_digest in gone:
                del self._known[token_digest]
        for call in self.on_forget:
            call()


def token_cache_from_environment(environ: dict[str, str] | None = None) -> KnownTokens:
    return KnownTokens(Settings.read(environ).token_cache_seconds)


def is_admin(token_digest: str, admin_digests: Sequence[str]) -> bool:
    # Every digest is compared, in constant time, whichever matches.
    matches = [hmac.compare_digest(token_digest, d) for d in admin_digests]
    return any(matches)


UNKNOWN = object()  # an answer the memory does not have: ask the storage


def actor_in_memory(
    token: str | None, admin_digests: Sequence[str], known: KnownTokens | None, now: datetime
) -> str | object | None:
    """The actor id for a bearer token when no storage read is needed (no token, the
    admin's, or a person token seen lately), else UNKNOWN. Never blocks."""
    if token is None:
        return None
    token_digest = digest(token)
    if is_admin(token_digest, admin_digests):
        return ADMIN
    if known is not None and (hit := known.get(token_digest, now)) is not None:
        return hit.person_id
    return UNKNOWN


def actor_for(
    token: str | None,
    admin_digests: Sequence[str],
    app: IntroductionsApp,
    known: KnownTokens | None = None,
) -> str | None:
    """The actor id for a bearer token, or None. Blocking: call it in a thread."""
    actor = actor_in_memory(token, admin_digests, known, app.clock())
    if actor is not UNKNOWN:
        return actor  # type: ignore[return-value]
    assert token is not None
    return actor_from_storage(token, app, known)


def actor_from_storage(
    token: str, app: IntroductionsApp, known: KnownTokens | None = None
) -> str | None:
    """The person a token was issued to, read from the event store (and remembered in
    `known`), or None: for a token actor_in_memory did not know. Blocking."""
    credential = app.credential(token)
    if credential is None:
        return None
    if known is not None:
        known.put(digest(token), credential)
    return credential.person_id
