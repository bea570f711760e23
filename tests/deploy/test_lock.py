"""The lock files hold every dependency pyproject.toml declares, at a version it allows:
a dependency added or bounded there without compiling the locks again fails here."""

from __future__ import annotations

import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.files import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def declared(extra: str) -> list[Requirement]:
    """The project's requirements with one extra, the extras it names in turn included."""
    found: list[Requirement] = []
    todo = [Requirement(r) for r in PROJECT["dependencies"]]
    todo += [Requirement(r) for r in PROJECT["optional-dependencies"][extra]]
    while todo:
        requirement = todo.pop()
        if canonicalize_name(requirement.name) != PROJECT["name"]:
            found.append(requirement)
            continue
        for named in requirement.extras:
            todo += [Requirement(r) for r in PROJECT["optional-dependencies"][named]]
    return found


def pinned(lock: str) -> dict[str, str]:
    versions = {}
    for line in (REPO / lock).read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, _, version = line.split(" ")[0].partition("==")
            versions[canonicalize_name(name)] = version.rstrip(";")
    return versions


@pytest.mark.parametrize(
    ("lock", "extra"), [("requirements.txt", "postgres"), ("requirements-test.txt", "test")]
)
def test_every_declared_dependency_is_locked_at_a_version_it_allows(lock: str, extra: str) -> None:
    versions = pinned(lock)
    for requirement in declared(extra):
        name = canonicalize_name(requirement.name)
        assert name in versions, f"{lock} lacks {name}: compile it again"
        assert requirement.specifier.contains(versions[name], prereleases=True), (
            f"{lock} pins {name}=={versions[name]}, outside {requirement}: compile it again"
        )
