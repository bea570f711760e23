"""Personal data under per-person keys (crypto-shredding).

A personal field of an event is stored as a `Sealed` value: the id of the key it is
sealed under and the AES-GCM nonce and ciphertext, never the text. Keys live in their own
table (storage/personal_keys.py), never in events. Forgetting a person deletes every key
they hold; their sealed fields then open to None ("erased") while the chain hashes, which
cover the sealed form as stored, still verify.

Which key: a person's profile (display name, organization, offers, needs) is sealed under
the person's own key. Every free text of an introduction (context, guidelines, reply
messages, notes, decline reasons) is sealed under the introduction's key, held by its
introducer, requester and target: any of the three may be named or described in it, so
forgetting any of them erases all of it. Counts, statuses and ids stay readable.

Sealing happens as an event is created (`ChainedAggregate`), with the keyring of the
application handling the command (`sealing`); without one (a bare domain test), fields
stay plain, and plain fields of events stored before this module still load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from eventsourcing.persistence import Transcoding

SEALED_PREFIX = "sealed1:"
FORGOTTEN_NAME = "Forgotten person"
ERASED_TEXT = "(erased)"  # a required text whose key is destroyed


class Sealed:
    """A personal value as stored. `value` opens it with the keyring it was read with:
    the value, or None once its key is destroyed. Never cached: an erased key erases it."""

    __slots__ = ("_opener", "key_id", "token")

    def __init__(
        self, key_id: str, token: str, opener: Callable[[Sealed], Any] | None = None
    ) -> None:
        self.key_id = key_id
        self.token = token
        self._opener = opener

    @property
    def stored(self) -> str:
        return f"{SEALED_PREFIX}{self.key_id}:{self.token}"

    @classmethod
    def from_stored(cls, stored: str, opener: Callable[[Sealed], Any] | None) -> Sealed:
        if not stored.startswith(SEALED_PREFIX):
            msg = f"not a sealed value: {stored[:20]!r}"
            raise ValueError(msg)
        key_id, _, token = stored[len(SEALED_PREFIX) :].rpartition(":")
        return cls(key_id, token, opener)

    @property
    def value(self) -> Any:
        return None if self._opener is None else self._opener(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.stored == self.stored

    def __hash__(self) -> int:
        return hash(self.stored)

    def __repr__(self) -> str:
        return f"Sealed({self.key_id!r}, …)"

    def __copy__(self) -> Sealed:
        return self  # immutable; its opener (a keyring) must not be copied

    def __deepcopy__(self, _memo: object) -> Sealed:
        return self


class Keyring(Protocol):
    def seal(self, key_id: str, value: Any, holders: Sequence[str] | None = None) -> Sealed:
        """Seals under the key `key_id`; `holders` (on an aggregate's first event) makes
        a new key held by those persons, stored with the event."""
        ...

    def open(self, sealed: Sealed) -> Any:
        """The value, or None if its key is gone."""
        ...


_KEYRING: ContextVar[Keyring | None] = ContextVar("introductions_keyring", default=None)


@contextmanager
def sealing(keyring: Keyring | None) -> Iterator[None]:
    """Events created inside are sealed with this keyring."""
    token = _KEYRING.set(keyring)
    try:
        yield
    finally:
        _KEYRING.reset(token)


def seal_fields(event_class: type, key_id: str, kwargs: dict[str, Any], *, new: bool) -> None:
    """Replaces the event's personal fields (its `personal_fields`) by sealed values."""
    names: tuple[str, ...] = getattr(event_class, "personal_fields", ())
    keyring = _KEYRING.get()
    if not names or keyring is None:
        return
    holders_of = getattr(event_class, "key_holders", None)
    holders = holders_of(key_id, kwargs) if new and holders_of is not None else None
    for name in names:
        value = kwargs.get(name)
        if value is not None and not isinstance(value, Sealed):
            kwargs[name] = keyring.seal(key_id, value, holders)
            holders = None  # the key is made once


def plain(value: Any) -> Any:
    """A field as readers use it: a sealed one opened (None when erased)."""
    return value.value if isinstance(value, Sealed) else value


def is_erased(value: Any) -> bool:
    return isinstance(value, Sealed) and value.value is None


class SealedAsStored(Transcoding):
    """Stores a sealed value as its stored string; decoded values open with `opener`."""

    type = Sealed
    name = "sealed"

    def __init__(self, opener: Callable[[Sealed], Any]) -> None:
        self.opener = opener

    def encode(self, obj: Sealed) -> str:
        return obj.stored

    def decode(self, data: str) -> Sealed:
        return Sealed.from_stored(data, self.opener)


def opened_data(data: dict[str, Any]) -> dict[str, Any]:
    """An event's data for clients: sealed fields opened; an erased one is None and the
    data says `erased: True`."""
    opened: dict[str, Any] = {}
    erased = False
    for name, value in data.items():
        if isinstance(value, Sealed):
            value = value.value
            erased = erased or value is None
        opened[name] = value
    if erased:
        opened["erased"] = True
    return opened
