"""schemathesis against `serve` (SQLite, real HTTP): operations generated from the live
schema's introspection, as the admin and as a person. No answer is a server error (5xx)
nor a masked unexpected error (INTERNAL_SERVER_ERROR). Bounded examples per role."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.e2e.conftest import ADMIN_TOKEN, Server
from tests.reliability.conftest import Serve

EXAMPLES = 100


@pytest.mark.parametrize("role", ["admin", "person"])
def test_generated_operations_never_fail_on_the_server(serve: Serve, role: str) -> None:
    server: Server = serve.start()
    admin = serve.gql()
    token = ADMIN_TOKEN if role == "admin" else admin.tokens[admin.register("Fuzzed")]
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.graphql.from_url(server.url + "/graphql", headers=headers)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=schema.as_strategy())
    def answered_without_a_server_error(case: Any) -> None:
        response = case.call(headers=headers)
        # Not schemathesis' GraphQL check, which takes any error without data (FORBIDDEN
        # for a person asking the admin's questions) for a server error.
        assert response.status_code < 500, (case.body, response.text)
        body = response.json()
        for error in body.get("errors") or []:
            assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", (
                case.body,
                error,
            )

    answered_without_a_server_error()
    log = serve.stop()
    assert "Traceback" not in log, log
