"""AccessToken.TokenIssued is at class_version 2; version 1 had no `expires_at`. A token
stored by the v1 writer still authenticates, never expires, and can be revoked."""

from __future__ import annotations

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.access import AccessToken, access_token_id, new_token, token_hash
from domain.application import IntroductionsApp
from domain.chain import GENESIS, chain_digest, event_data
from domain.introduction import ADMIN
from tests.conftest import FakeClock


def test_a_v1_token_authenticates_never_expires_and_can_be_revoked(
    app: IntroductionsApp, clock: FakeClock
) -> None:
    person = str(app.register_person(ADMIN, "Jim").person.id)
    token = new_token()
    digest = token_hash(token)
    aggregate_id = access_token_id(digest)
    at = clock()
    v1_state = {
        "originator_topic": get_topic(AccessToken),
        "person_id": person,
        "token_hash": digest,
        "timestamp": at,
        "actor_id": ADMIN,
    }
    v1_state["chain_hash"] = chain_digest(
        GENESIS, aggregate_id, "TokenIssued", 1, at, ADMIN, event_data(v1_state)
    )
    stored = StoredEvent(
        originator_id=aggregate_id,
        originator_version=1,
        topic=get_topic(AccessToken.TokenIssued),
        state=app.mapper.transcoder.encode(v1_state),
    )
    app.recorder.insert_events([stored])

    clock.advance(days=3650)
    assert app.authenticate(token) == person
    assert app.credential(token).expires_at is None  # type: ignore[union-attr]
    app.revoke_token(person, str(aggregate_id), "moving to an expiring token")
    assert app.authenticate(token) is None
    assert app.authenticate(new_token()) is None
