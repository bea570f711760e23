"""SECURITY.md names, for each promise, the tests that prove it: each must exist, so that
renaming or deleting one cannot leave a promise without its proof unnoticed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
NAMED_TEST = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def test_every_test_named_in_security_md_exists() -> None:
    named = NAMED_TEST.findall((ROOT / "SECURITY.md").read_text(encoding="utf-8"))
    assert len(named) > 40
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not (ROOT / path).exists()
        or f"def {name}(" not in (ROOT / path).read_text(encoding="utf-8")
    ]
    assert missing == []
