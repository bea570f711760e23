"""Random variables of any JSON shape against every operation: the answer is data or a
coded client error, never a 5xx nor an unexpected (masked) error."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api import graphql_client as docs
from tests.api.conftest import ADMIN_TOKEN

DOCUMENTS = [
    docs.REGISTER,
    docs.ISSUE_TOKEN,
    docs.PROPOSE,
    docs.CONSENT,
    docs.DECLINE,
    docs.REPLY,
    docs.FORMED,
    docs.BURN,
    docs.INTRODUCTION,
    docs.INTRODUCTION_AT,
    docs.HISTORY,
    docs.INTRODUCTIONS,
    docs.REPUTATION,
    docs.LEADERBOARD,
    docs.TRACK_RECORD,
    docs.DELIVERIES,
]
NAMES = [
    "id",
    "name",
    "org",
    "offers",
    "needs",
    "r",
    "t",
    "c",
    "g",
    "v",
    "reason",
    "m",
    "n",
    "blamed",
    "cause",
    "f",
    "first",
    "after",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50)
    | st.sampled_from(
        ["", "\x00", "BURNED", "SKILL", "x" * 5000, "00000000-0000-4000-8000-000000000000"]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["introducerId", "personId", "status", "x"]), children, max_size=3
        )
    ),
    max_leaves=6,
)


@pytest.fixture
def sqlite_client(sqlite_storage: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from api.app import build_services, create_app

    monkeypatch.setenv("INTRODUCTIONS_ADMIN_TOKEN", ADMIN_TOKEN)
    with TestClient(create_app(build_services(sqlite_storage), run_projections=True)) as c:
        yield c


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    document=st.sampled_from(DOCUMENTS),
    variables=st.dictionaries(st.sampled_from(NAMES), json_values, max_size=6),
)
def test_any_variables_are_answered_without_a_crash(
    sqlite_client: TestClient, document: str, variables: dict[str, Any]
) -> None:
    response = sqlite_client.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        for error in response.json().get("errors") or []:
            assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", (variables, error)
