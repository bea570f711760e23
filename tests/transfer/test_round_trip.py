"""Moving a whole service between databases with `introductions export` and
`introductions import`, run as a user would (separate processes): SQLite to PostgreSQL and
back. Every history, every chain and checkpoint, the rebuilt projections, issued tokens
and webhook secrets come across; the imported history is not delivered again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from api.commands.story import record_seed_story
from domain.introduction import ADMIN
from projections.read_models import ReadModels
from storage.bootstrap import open_application
from storage.database import Storage
from tests.cli.run import introductions
from tests.projections.helpers import dump, project
from tests.webhooks.conftest import FAST, allow_private  # noqa: F401 - a fixture
from tests.webhooks.receiver import Receiver
from webhooks.dispatcher import WebhookDispatcher

pytestmark = pytest.mark.processes

RANKED_AT = datetime(2030, 1, 1, tzinfo=UTC)


def record_service(storage: Storage, receiver_url: str) -> dict[str, Any]:
    """The seed story, an issued token, a profile update, a declined introduction and a
    webhook endpoint (with its secret rotated once), projected into the views."""
    app = open_application(storage)
    try:
        ids: dict[str, Any] = dict(record_seed_story(app))
        ids["token"], _ = app.issue_token(ADMIN, ids["jim"])
        app.update_profile(ids["jim"], None, display_name="James", needs=["advice"])
        declined = app.propose(ids["kent"], ids["jim"], ids["bob"], "Jim, meet Bob.")
        app.decline(ids["bob"], declined.introduction.id, "not now")
        ids["declined"] = str(declined.introduction.id)
        webhook = app.register_webhook(ADMIN, receiver_url)
        ids["webhook"] = str(webhook.endpoint.id)
        ids["secret"] = app.rotate_webhook_secret(ADMIN, webhook.endpoint.id).secret
        read_models = ReadModels(storage)
        try:
            project(app, read_models)
        finally:
            read_models.close()
    finally:
        app.close()
    return ids


def cli(storage: Storage, tmp_path: Path, *args: str) -> str:
    result = introductions(*args, database_url=storage.url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def sealing(tmp_path: Path) -> list[str]:
    """The option that passes the passphrase sealing the keys of personal data."""
    path = tmp_path / "passphrase"
    path.write_text("correct horse battery staple\n")
    return ["--passphrase-file", str(path)]


def views(storage: Storage) -> dict[str, list[tuple[Any, ...]]]:
    read_models = ReadModels(storage)
    try:
        return dump(read_models, RANKED_AT)
    finally:
        read_models.close()


@pytest.mark.postgres
@pytest.mark.usefixtures("allow_private")
@pytest.mark.parametrize("direction", ["sqlite-to-postgres", "postgres-to-sqlite"])
def test_everything_comes_across(direction: str, tmp_path: Path, request: Any) -> None:
    kinds = ["sqlite_storage", "postgres_storage"]
    if direction == "postgres-to-sqlite":
        kinds.reverse()
    source, target = (request.getfixturevalue(kind) for kind in kinds)
    receiver = Receiver()
    try:
        ids = record_service(source, receiver.url)
        cli(source, tmp_path, "forget", ids["bob"])
        export = tmp_path / "introductions.jsonl"
        cli(source, tmp_path, "export", "--output", str(export), *sealing(tmp_path))
        assert '"Bob"' not in export.read_text()
        imported = cli(target, tmp_path, "import", str(export), *sealing(tmp_path))
        assert imported.startswith("Imported 28 events")

        for name in ("burned", "formed", "declined"):
            history = [cli(db, tmp_path, "history", ids[name], "--json") for db in (source, target)]
            assert history[0] == history[1]
            assert len(history[0].splitlines()) in {2, 5}
        assert "28 events" in cli(target, tmp_path, "verify")
        assert cli(target, tmp_path, "checkpoint") == cli(source, tmp_path, "checkpoint")
        assert views(target) == views(source)

        app = open_application(target)
        dispatcher = WebhookDispatcher(target, settings=FAST)
        dispatcher.start()
        try:
            assert app.authenticate(ids["token"]) == ids["jim"]
            jim = app.get_person(ids["jim"])
            assert (jim.display_name, jim.needs) == ("James", ["advice"])  # his key came along
            assert app.get_person(ids["bob"]).display_name == "Forgotten person"
            assert app.history(ids["formed"])[0].data["erased"] is True  # her key did not
            new = app.propose(ids["kent"], ids["alice"], ids["jim"], "After the move.")
            receiver.wait_for(lambda: len(receiver.requests) >= 1, timeout=20)
            [delivered] = receiver.requests  # the new event only: not the imported history
            body = Webhook(ids["secret"]).verify(delivered.body, delivered.headers)
            assert body["data"]["introductionId"] == str(new.introduction.id)
            # The log goes on right after the imported positions.
            assert app.recorder.select_notifications(start=29, limit=1)[0].id == 29
        finally:
            dispatcher.stop()
            app.close()
    finally:
        receiver.stop()


def test_a_database_that_holds_events_is_refused_and_left_as_it_was(
    storage: Storage, tmp_path: Path
) -> None:
    source = tmp_path / "source.db"
    source_url = f"sqlite:///{source}"
    introductions("demo", database_url=source_url, cwd=tmp_path)
    export = tmp_path / "export.jsonl"
    introductions(
        "export", "-o", str(export), *sealing(tmp_path), database_url=source_url, cwd=tmp_path
    )
    app = open_application(storage)
    try:
        app.register_person(ADMIN, "Already here")
        result = introductions(
            "import", str(export), *sealing(tmp_path), database_url=storage.url, cwd=tmp_path
        )
        assert result.returncode == 1
        assert "already holds 1 events" in result.stderr
        assert "nothing was written" in result.stderr
        assert app.recorder.max_notification_id() == 1
    finally:
        app.close()


def edited(lines: list[str], index: int, **changes: Any) -> list[str]:
    line = json.loads(lines[index])
    line.update(changes)
    return [*lines[:index], json.dumps(line), *lines[index + 1 :]]


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda lines: lines[:-1], "without its end line"),
        (lambda lines: lines[:5] + lines[6:], "it was edited"),
        (lambda lines: edited(lines, 3, state="eyJ4IjoxfQ=="), "does not verify"),
        (lambda lines: edited(lines, 4, position=1), "does not follow"),
        (lambda lines: ["{}", *lines[1:]], "not an introductions export"),
        (lambda lines: [*lines[:3], "not json", *lines[3:]], "line 4: not JSON"),
    ],
    ids=["cut-short", "line-removed", "state-edited", "reordered", "no-header", "not-json"],
)
def test_a_damaged_file_writes_nothing(damage: Any, says: str, tmp_path: Path) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    introductions("demo", database_url=source_url, cwd=tmp_path)
    export = tmp_path / "export.jsonl"
    introductions(
        "export", "-o", str(export), *sealing(tmp_path), database_url=source_url, cwd=tmp_path
    )
    export.write_text("\n".join(damage(export.read_text().splitlines())) + "\n")

    target_url = f"sqlite:///{tmp_path / 'target.db'}"
    result = introductions(
        "import", str(export), *sealing(tmp_path), database_url=target_url, cwd=tmp_path
    )
    assert result.returncode == 1, result.stdout
    assert says in result.stderr
    assert "0 events" in introductions("verify", database_url=target_url, cwd=tmp_path).stdout


def test_the_cipher_settings_must_match_the_source(tmp_path: Path) -> None:
    from eventsourcing.cryptography import AESCipher

    cipher = {
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": AESCipher.create_key(num_bytes=32),
        "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor",
    }
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    introductions("demo", database_url=source_url, cwd=tmp_path, environment=cipher)
    export = tmp_path / "export.jsonl"
    exported = introductions(
        "export",
        "-o",
        str(export),
        *sealing(tmp_path),
        database_url=source_url,
        cwd=tmp_path,
        environment=cipher,
    )
    assert exported.returncode == 0, exported.stderr
    assert "TRANSACTIONAL_ASK" not in export.read_text()  # stored encrypted, copied so

    plain_url = f"sqlite:///{tmp_path / 'plain.db'}"
    refused = introductions(
        "import", str(export), *sealing(tmp_path), database_url=plain_url, cwd=tmp_path
    )
    assert refused.returncode == 1
    assert "CIPHER_TOPIC, CIPHER_KEY and COMPRESSOR_TOPIC" in refused.stderr

    same_url = f"sqlite:///{tmp_path / 'same.db'}"
    imported = introductions(
        "import",
        str(export),
        *sealing(tmp_path),
        database_url=same_url,
        cwd=tmp_path,
        environment=cipher,
    )
    assert imported.returncode == 0, imported.stderr
    verified = introductions("verify", database_url=same_url, cwd=tmp_path, environment=cipher)
    assert "18 events" in verified.stdout


def test_keys_need_a_passphrase_and_the_same_one_to_import(tmp_path: Path) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    introductions("demo", database_url=source_url, cwd=tmp_path)
    export = tmp_path / "export.jsonl"
    refused = introductions("export", "-o", str(export), database_url=source_url, cwd=tmp_path)
    assert refused.returncode == 2
    assert "pass a passphrase" in refused.stderr
    assert not export.exists()

    introductions(
        "export", "-o", str(export), *sealing(tmp_path), database_url=source_url, cwd=tmp_path
    )
    assert "Dear John" not in export.read_text()  # sealed in the events, keys sealed too
    target_url = f"sqlite:///{tmp_path / 'target.db'}"
    without = introductions("import", str(export), database_url=target_url, cwd=tmp_path)
    assert without.returncode == 1
    assert "pass its passphrase" in without.stderr
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all\n")
    other = introductions(
        "import",
        str(export),
        "--passphrase-file",
        str(wrong),
        database_url=target_url,
        cwd=tmp_path,
    )
    assert other.returncode == 1
    assert "does not open the keys" in other.stderr
    assert "0 events" in introductions("verify", database_url=target_url, cwd=tmp_path).stdout
