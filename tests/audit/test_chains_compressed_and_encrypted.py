"""The chains hold the same with the library's compression and encryption: the hash is
computed over the event as created, and verify reads through the cipher and compressor."""

from __future__ import annotations

import pytest
from eventsourcing.cryptography import AESCipher

from api.commands.story import record_seed_story
from domain.application import IntroductionsApp
from domain.audit import verify_log
from storage.database import Storage

COMPRESSED = {"COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor"}
ENCRYPTED = {
    "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
    "CIPHER_KEY": AESCipher.create_key(num_bytes=32),
}


@pytest.mark.parametrize(
    "extra",
    [COMPRESSED, ENCRYPTED, COMPRESSED | ENCRYPTED],
    ids=["compressed", "encrypted", "compressed-and-encrypted"],
)
def test_every_chain_verifies_through_the_cipher_and_compressor(
    storage: Storage, extra: dict[str, str]
) -> None:
    app = IntroductionsApp(env=storage.env | extra)
    try:
        ids = record_seed_story(app)
        stored = app.recorder.select_notifications(start=1, limit=1000)
        # What is stored is not the plain JSON: the settings are really in force.
        assert not any(b"TRANSACTIONAL_ASK" in bytes(n.state) for n in stored)
        report = verify_log(app)
        assert report.ok, report.findings
        assert report.events == len(stored) == 18
        assert [e.type for e in app.history(ids["burned"])][-1] == "IntroductionBurned"
    finally:
        app.close()
