"""Person tokens: random (256 bits), shown once, stored only as a hash in the event store,
so they survive a restart; authenticating is one get by id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.app import build_services
from api.auth import admin_token_path, ensure_admin_token_file, read_admin_token_file
from domain.access import TOKEN_PREFIX, access_token_id, token_hash
from storage.database import Storage, parse_database_url
from tests.api.graphql_client import ME, GraphQL


def test_token_is_random_and_only_its_hash_is_stored(
    gql: GraphQL, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = gql.register("Jim")
    token = gql.tokens[person]
    assert token.startswith(TOKEN_PREFIX)
    assert len(token.removeprefix(TOKEN_PREFIX)) >= 43  # 32 bytes, base64url: 256 bits
    second = gql.admin("mutation($id: ID!) { issueToken(personId: $id) { token } }", id=person)
    assert second["issueToken"]["token"] != token  # a new one each time; both are valid

    if storage.kind == "sqlite":
        assert storage.sqlite_path is not None
        raw = Path(storage.sqlite_path).read_bytes()
        assert token.encode() not in raw
    # A restart (a new process on the same storage) still knows it.
    services = build_services(storage)
    try:
        assert services.app.authenticate(token) == person
        assert services.app.authenticate(token + "x") is None
        stored: Any = services.app.repository.get(access_token_id(token_hash(token)))
        assert stored.token_hash == token_hash(token)
        assert token not in repr(vars(stored))
    finally:
        services.close()
    assert gql.data(ME, token)["me"]["id"] == person


def test_admin_token_file_is_owner_only_and_never_overwritten(tmp_path: Path) -> None:
    storage = parse_database_url(f"sqlite:///{tmp_path / 'x.db'}")
    path = admin_token_path(storage, environ={})
    assert path.parent == tmp_path
    assert ensure_admin_token_file(path) is True
    first = read_admin_token_file(path)
    assert len(first) >= 43
    assert path.stat().st_mode & 0o777 == 0o600
    assert ensure_admin_token_file(path) is False
    assert read_admin_token_file(path) == first
    postgres = parse_database_url("postgresql://u@h/db")
    chosen = tmp_path / "elsewhere"
    assert admin_token_path(postgres, {"INTRODUCTIONS_ADMIN_TOKEN_FILE": str(chosen)}) == chosen
