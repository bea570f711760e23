"""The README's configuration table is the one config.Settings makes (`python -m config`):
a variable added, renamed or given another default there shows here."""

from __future__ import annotations

from config import configuration_table
from tests.deploy.files import REPO


def test_the_readme_shows_the_table_settings_make() -> None:
    readme = (REPO / "README.md").read_text()
    start = readme.index("| variable | default | read by | meaning |")
    end = readme.index("\n\n", start) + 1
    assert readme[start:end] == configuration_table(), "run python -m config into the README"
