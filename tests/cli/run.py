"""Running the `introductions` command as a user would: a separate process, configured
only through its environment."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from bench.server import cli

CLI = cli()


def introductions(
    *args: str,
    database_url: str,
    cwd: Path,
    timeout: float = 60,
    environment: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTRODUCTIONS_")}
    env |= {"INTRODUCTIONS_DATABASE_URL": database_url, "COLUMNS": "250", "NO_COLOR": "1"}
    env |= environment or {}
    return subprocess.run(
        [*CLI, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
