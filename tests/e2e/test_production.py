"""Production mode through a real `serve`: no GraphiQL, no introspection, security
headers, CORS only for configured origins, a rate limit per token answering 429 with
Retry-After, two admin tokens during a rotation, and no start with a weak admin token."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

import httpx
import pytest

from api.security import WEB_APP_POLICY
from tests.api.graphql_client import ME, GraphQL
from tests.e2e.conftest import cli, service_env, serving

NEW_ADMIN = secrets.token_urlsafe(32)
OLD_ADMIN = secrets.token_urlsafe(32)
ORIGIN = "https://app.example.com"
INTROSPECTION = "{ __schema { queryType { name } } }"


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'introductions.db'}"


def production(**extra: str) -> dict[str, str]:
    return {"INTRODUCTIONS_ENV": "production", "INTRODUCTIONS_ADMIN_TOKEN": NEW_ADMIN, **extra}


def test_production_mode_closes_what_a_browser_or_a_scanner_could_use(tmp_path: Path) -> None:
    env = production(INTRODUCTIONS_CORS_ORIGINS=ORIGIN, INTRODUCTIONS_HSTS_SECONDS="31536000")
    with (
        serving(tmp_path, sqlite_url(tmp_path), **env) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        ide = http.get("/graphql", headers={"Accept": "text/html"})
        assert ide.status_code == 404
        assert "graphiql" not in ide.text.lower()
        assert http.get("/graphiql/vendor/graphiql.min.js").status_code == 404

        gql = GraphQL(http, NEW_ADMIN)
        refused = gql.result(INTROSPECTION, NEW_ADMIN)
        assert refused.get("data") is None
        assert "introspection" in refused["errors"][0]["message"].lower()
        assert gql.admin("{ __typename me { id } }") == {"__typename": "Query", "me": None}

        answer = gql.raw(ME, NEW_ADMIN)
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        assert headers["cache-control"] == "no-store"
        health = http.get("/healthz")
        assert health.headers["x-content-type-options"] == "nosniff"

        # The web app is served: it uses only the public API, under a self-only policy.
        page = http.get("/")
        assert page.status_code == 200
        assert '<script type="module" src="/app/js/main.js">' in page.text
        assert page.headers["content-security-policy"] == WEB_APP_POLICY
        assert http.get("/app/js/main.js").status_code == 200

        def preflight(origin: str) -> httpx.Response:
            return http.options(
                "/graphql",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization,content-type",
                },
            )

        allowed = preflight(ORIGIN)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ORIGIN
        other = preflight("https://evil.example.com")
        assert "access-control-allow-origin" not in other.headers
        simple = gql.http.post(
            "/graphql",
            json={"query": ME},
            headers={"Origin": "https://evil.example.com", "Authorization": f"Bearer {NEW_ADMIN}"},
        )
        assert "access-control-allow-origin" not in simple.headers


def test_development_mode_keeps_graphiql_and_introspection_and_no_cors(tmp_path: Path) -> None:
    env = {"INTRODUCTIONS_ADMIN_TOKEN": NEW_ADMIN}
    with (
        serving(tmp_path, sqlite_url(tmp_path), **env) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        assert "graphiql" in http.get("/graphql", headers={"Accept": "text/html"}).text.lower()
        gql = GraphQL(http, NEW_ADMIN)
        assert gql.admin(INTROSPECTION) == {"__schema": {"queryType": {"name": "Query"}}}
        answer = http.options(
            "/graphql",
            headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in answer.headers
        headers = gql.raw(ME, NEW_ADMIN).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in headers
        # no rate limit by default in development
        assert all(gql.raw(ME, NEW_ADMIN).status_code == 200 for _ in range(30))


def test_rate_limit_per_token_answers_429_with_retry_after(tmp_path: Path) -> None:
    env = production(INTRODUCTIONS_RATE_LIMIT="5/minute")
    with (
        serving(tmp_path, sqlite_url(tmp_path), **env) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        gql = GraphQL(http, NEW_ADMIN)
        codes = [gql.raw(ME, NEW_ADMIN).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        limited = gql.raw(ME, NEW_ADMIN)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # another caller has its own budget; health checks are never limited
        assert gql.raw(ME, "some-other-token").status_code == 200
        assert all(http.get("/healthz").status_code == 200 for _ in range(10))
        assert NEW_ADMIN not in server.output()


def test_the_admin_token_rotates_without_refusing_either_token(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)

    def accepted(server_url: str, token: str) -> bool:
        with httpx.Client(base_url=server_url, timeout=30) as http:
            body = GraphQL(http, token).result(ME, token)
        return body.get("data") == {"me": None}

    with serving(tmp_path, url, **production(INTRODUCTIONS_ADMIN_TOKEN=OLD_ADMIN)) as before:
        assert accepted(before.url, OLD_ADMIN)
        assert not accepted(before.url, NEW_ADMIN)
    # During the rotation both are accepted, so clients can move over one by one...
    rotating = production(INTRODUCTIONS_ADMIN_TOKEN_PREVIOUS=OLD_ADMIN)
    with serving(tmp_path, url, **rotating) as during:
        assert accepted(during.url, OLD_ADMIN)
        assert accepted(during.url, NEW_ADMIN)
        assert not accepted(during.url, OLD_ADMIN + "x")
    # ...and once the previous token is dropped, it no longer works.
    with serving(tmp_path, url, **production()) as after:
        assert accepted(after.url, NEW_ADMIN)
        assert not accepted(after.url, OLD_ADMIN)
        output = before.output() + during.output() + after.output()
        assert OLD_ADMIN not in output
        assert NEW_ADMIN not in output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"INTRODUCTIONS_ADMIN_TOKEN": ""}, "production mode needs an admin token"),
        ({"INTRODUCTIONS_ADMIN_TOKEN": "short-token"}, "refuses a weak admin token"),
        ({"INTRODUCTIONS_ADMIN_TOKEN": "a" * 64}, "refuses a weak admin token"),
        ({"INTRODUCTIONS_ADMIN_TOKEN": "admin-admin-admin-admin-admin-admin"}, "weak admin token"),
        ({"INTRODUCTIONS_ADMIN_TOKEN": "abcdefghijklmnopqrstuvwxyzABCDEF"}, "weak admin token"),
        ({"INTRODUCTIONS_ADMIN_TOKEN": "0123456789abcdef0123456789abcdef"}, "weak admin token"),
        ({"INTRODUCTIONS_ADMIN_TOKEN_PREVIOUS": "password123"}, "weak admin token"),
        ({"INTRODUCTIONS_RATE_LIMIT": "lots"}, "INTRODUCTIONS_RATE_LIMIT='lots'"),
        ({"INTRODUCTIONS_ENV": "prod"}, "INTRODUCTIONS_ENV='prod'"),
    ],
)
def test_production_refuses_to_start_on_a_weak_or_missing_admin_token(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    settings = {k: v for k, v in production(**env).items() if v}
    done = subprocess.run(
        cli("serve", "--port", "9"),
        env=service_env(sqlite_url(tmp_path), **settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "introductions.db.admin-token").exists()  # nothing generated
    for value in settings.values():
        if "token" in value or len(value) > 20:
            assert value not in done.stderr + done.stdout


def test_production_reads_an_admin_token_file_it_is_given_and_never_makes_one(
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "admin-token"

    def serve_with_file() -> subprocess.CompletedProcess[str]:
        env = {"INTRODUCTIONS_ENV": "production", "INTRODUCTIONS_ADMIN_TOKEN_FILE": str(token_file)}
        return subprocess.run(
            cli("serve", "--port", "9"),
            env=service_env(sqlite_url(tmp_path), **env),
            capture_output=True,
            text=True,
            timeout=60,
        )

    missing = serve_with_file()
    assert missing.returncode == 2
    assert "cannot read the admin token" in missing.stderr
    assert not token_file.exists()
    token_file.write_text("admin\n")
    weak = serve_with_file()
    assert weak.returncode == 2
    assert "weak admin token" in weak.stderr
    token_file.write_text(NEW_ADMIN + "\n")
    env = {"INTRODUCTIONS_ENV": "production", "INTRODUCTIONS_ADMIN_TOKEN_FILE": str(token_file)}
    with (
        serving(tmp_path, sqlite_url(tmp_path), **env) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        assert GraphQL(http, NEW_ADMIN).admin(ME) == {"me": None}
        assert NEW_ADMIN not in server.output()
