"""The deployment files cannot drift from the code: docker-compose.yml and the Dockerfile
name real commands with options the CLI accepts, and only variables the code reads.
(Docker itself cannot run here; tests/e2e/test_topology.py runs the same commands.)"""

from __future__ import annotations

import re
import subprocess

from storage.database import parse_database_url
from tests.deploy.files import (
    REPO,
    compose,
    dockerfile,
    env_file_names,
    exec_form,
    listed_packages,
    packages,
    parse_command,
    service,
    variables_the_code_reads,
)

OURS = ("api", "worker")


def test_the_api_serves_two_processes_on_every_interface_once_postgres_is_healthy() -> None:
    api = service("api")
    name, params = parse_command(api["command"])
    assert name == "serve"
    assert params["host"] == "0.0.0.0"
    assert params["workers"] == 2
    assert f"127.0.0.1:{params['port']}:{params['port']}" in api["ports"]
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in service("postgres")


def test_the_worker_runs_projections_expiry_and_webhooks() -> None:
    worker = service("worker")
    name, params = parse_command(worker["command"])
    assert name == "worker"
    assert params["webhooks"] is True  # the dispatcher, beside the projections and expiry
    assert f":{params['metrics_port']}/metrics" in " ".join(worker["healthcheck"]["test"])
    assert worker["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_variable_is_one_the_code_reads() -> None:
    known = variables_the_code_reads()
    assert {"INTRODUCTIONS_DATABASE_URL", "INTRODUCTIONS_ENV"} <= known  # the scan works
    for name in OURS:
        unknown = set(service(name)["environment"]) - known
        assert not unknown, f"{name} sets variables no code reads: {unknown}"
    example = {n for n in env_file_names(REPO / ".env.example") if n.startswith("INTRODUCTIONS_")}
    assert example
    assert example <= known
    image = {n for i, a in dockerfile() if i == "ENV" for n in re.findall(r"(\w+)=", a)}
    assert {n for n in image if n.startswith("INTRODUCTIONS_")} <= known


def test_both_services_reach_the_compose_database() -> None:
    for name in OURS:
        url = service(name)["environment"]["INTRODUCTIONS_DATABASE_URL"]
        url = re.sub(r"\$\{(\w+)[^}]*\}", r"secret", url)  # compose fills it from .env
        storage = parse_database_url(url)
        assert storage.kind == "postgres"
        assert storage.env["POSTGRES_HOST"] == "postgres"
        assert (
            storage.env["POSTGRES_DBNAME"]
            == compose()["services"]["postgres"]["environment"]["POSTGRES_DB"]
        )


def test_the_admin_token_comes_from_an_env_file_that_is_never_committed() -> None:
    assert service("api")["env_file"] == ".env"
    assert "INTRODUCTIONS_ADMIN_TOKEN" in env_file_names(REPO / ".env.example")
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=REPO, check=False
    ).returncode
    assert ignored == 0, ".env must be in .gitignore"


def test_the_image_installs_every_package_and_serves_as_a_non_root_user() -> None:
    steps = dockerfile()
    assert steps[0][0] == "FROM"
    assert "slim" in steps[0][1]
    copied = {a.split()[0] for i, a in steps if i == "COPY"}
    assert set(packages()) <= copied, "a package is missing from the image"
    ignore = (REPO / ".dockerignore").read_text().split()
    assert {f"!{p}/" for p in packages()} <= set(ignore)
    users = [a for i, a in steps if i == "USER"]
    assert users
    assert users[-1] not in {"root", "0"}
    [cmd] = [exec_form(a) for i, a in steps if i == "CMD"]
    name, params = parse_command(cmd)
    assert name == "serve"
    assert params["host"] == "0.0.0.0"
    [health] = [a for i, a in steps if i == "HEALTHCHECK"]
    assert f"127.0.0.1:{params['port']}/healthz" in health
    runs = [a for i, a in steps if i == "RUN"]
    assert any("pip install --require-hashes -r requirements.txt" in a for a in runs)
    assert any("pip install --no-deps ." in a for a in runs)


def test_every_python_package_is_listed_so_a_regular_install_holds_it() -> None:
    # An editable install finds any folder; a wheel (and so the image) holds only these.
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in packages()
        for init in (REPO / top).rglob("__init__.py")
    }
    assert found <= set(listed_packages())
