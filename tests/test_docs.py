"""The documents in docs/ name files that exist: a reader following them finds each one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
DOCS = sorted((REPO / "docs").glob("*.md"))
# `api/app.py`, `domain/coach/`: a path in backquotes, under one of the project's folders.
NAMED = re.compile(
    r"`((?:api|domain|storage|projections|webhooks|migrations|transfer|config|bench|tests)"
    r"/[\w./]*)`"
)


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_file_a_document_names_exists(doc: Path) -> None:
    named = set(NAMED.findall(doc.read_text(encoding="utf-8")))
    assert named, f"{doc.name} names no file: the pattern is wrong"
    missing = sorted(p for p in named if not (REPO / p).exists())
    assert not missing, f"{doc.name} names files that do not exist: {missing}"
