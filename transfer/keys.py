"""The keys of personal data in an export file (storage/personal_keys.py), sealed under
a passphrase the operator passes: AES-256-GCM with a key derived by scrypt. An export
without them would be a copy in which every personal field is erased; one with them in
clear would be a copy that no forgetting could reach. So a log with keys is exported
only with a passphrase, and the import needs the same one."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from transfer.lines import BadExportError

KDF = "scrypt-n16384-r8-p1"
PURPOSE = b"introductions-export-keys/1"
TABLES = ("personal_keys", "personal_key_holders", "forgotten_people")


class PassphraseNeededError(Exception):
    """The log holds keys of personal data: exporting or importing it needs a passphrase."""


def _aead(passphrase: bytes, salt: bytes) -> AESGCM:
    return AESGCM(Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(passphrase))


def seal_keys(rows: dict[str, list[list[Any]]], passphrase: bytes) -> dict[str, str]:
    salt, nonce = os.urandom(16), os.urandom(12)
    plain = json.dumps(
        {t: [[_text(v) for v in r] for r in rows[t]] for t in TABLES}, separators=(",", ":")
    ).encode()
    sealed = _aead(passphrase, salt).encrypt(nonce, plain, PURPOSE)
    return {"kdf": KDF, "salt": _b64(salt), "nonce": _b64(nonce), "sealed": _b64(sealed)}


def open_keys(found: dict[str, str], passphrase: bytes) -> dict[str, list[list[Any]]]:
    if found.get("kdf") != KDF:
        msg = f"the keys in the export are sealed with {found.get('kdf')!r}, not {KDF}"
        raise BadExportError(msg)
    try:
        aead = _aead(passphrase, base64.b64decode(found["salt"]))
        plain = aead.decrypt(
            base64.b64decode(found["nonce"]), base64.b64decode(found["sealed"]), PURPOSE
        )
    except InvalidTag:
        msg = "the passphrase does not open the keys in the export (nothing was written)"
        raise BadExportError(msg) from None
    tables: dict[str, list[list[Any]]] = json.loads(plain)
    for row in tables["personal_keys"]:
        row[1] = base64.b64decode(row[1])
    return tables


def _text(value: Any) -> Any:
    return _b64(bytes(value)) if isinstance(value, bytes | memoryview) else value


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
