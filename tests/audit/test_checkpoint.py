"""What only a checkpoint can catch: someone who knows the hash rule rewrites the last
event of a chain and recomputes its hash, so the chain itself still holds."""

from __future__ import annotations

from uuid import UUID

from api.commands.story import record_seed_story
from domain.audit import (
    decode_as_stored,
    event_type_name,
    parse_checkpoint,
    take_checkpoint,
    verify_log,
)
from domain.chain import chain_digest, event_data
from storage.bootstrap import open_application
from storage.database import Storage
from tests.audit.tamper import tamperer_for
from tests.conftest import POSTGRES_URL


def test_a_rewritten_chain_head_holds_but_breaks_the_checkpoint(storage: Storage) -> None:
    app = open_application(storage)
    try:
        formed = UUID(record_seed_story(app)["formed"])
        digest, report = take_checkpoint(app)
        assert digest is not None
        assert report.ok
        assert parse_checkpoint(digest)[0] == report.last_position

        last, previous = app.recorder.select_events(formed, desc=True, limit=2)
        state = decode_as_stored(app.mapper, last.state)
        state["note"] = "They never met."
        state["chain_hash"] = chain_digest(
            decode_as_stored(app.mapper, previous.state)["chain_hash"],
            formed,
            event_type_name(last.topic),
            last.originator_version,
            state["timestamp"],
            state["actor_id"],
            event_data(state),
        )
        tamperer_for(storage, POSTGRES_URL).set_state(
            formed, last.originator_version, app.mapper.transcoder.encode(state)
        )

        assert verify_log(app).ok  # every chain, alone, still holds
        after = verify_log(app, checkpoint=digest)
        assert not after.ok
        finding = after.first_finding
        assert finding is not None
        assert "differ from the checkpoint" in finding.problem
    finally:
        app.close()
