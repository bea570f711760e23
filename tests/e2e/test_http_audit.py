"""The GraphQL-over-HTTP audit suite (`graphql-http`'s serverAudits, npm, pinned in
tests/http_audit/package-lock.json) against a live `serve`: every MUST, SHOULD and MAY
passes, with no warning and no notice. Needs node and npm (Debian: nodejs, npm); the
audit's requests carry the admin token, since every operation but `health` needs one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import missing_tool
from tests.e2e.conftest import ADMIN_TOKEN, REPO, serving

AUDIT = REPO / "tests" / "http_audit"


def test_graphql_http_audit_passes_without_a_warning(tmp_path: Path) -> None:
    if not (shutil.which("node") and shutil.which("npm")):
        missing_tool("no node and npm (apt-get install nodejs npm)")
    runner = tmp_path / "audit"
    runner.mkdir()
    for name in ("package.json", "package-lock.json", "audit.mjs"):
        shutil.copy(AUDIT / name, runner / name)
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    subprocess.run(
        ["npm", "ci", "--no-audit"],
        cwd=runner,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    with serving(
        tmp_path,
        f"sqlite:///{tmp_path / 'introductions.db'}",
        INTRODUCTIONS_ADMIN_TOKEN=ADMIN_TOKEN,
    ) as server:
        run = subprocess.run(
            ["node", "audit.mjs", f"{server.url}/graphql"],
            cwd=runner,
            env={**env, "AUDIT_TOKEN": ADMIN_TOKEN},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert run.returncode == 0, run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(results) > 50  # the whole suite ran
    assert [r for r in results if r["status"] != "ok"] == []
