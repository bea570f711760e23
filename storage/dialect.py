"""The SQL of our own tables (the views, the webhook deliveries, the migrations' record),
written once for both databases: `?` placeholders and `{s}` before each table name. A
`Dialect` turns that into the text one database runs: sqlite3's as it is; psycopg's with
`%s`, and the schema before each table unless the connection's search_path names it."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dialect:
    placeholder: str  # "?" (sqlite3) or "%s" (psycopg)
    prefix: str = ""  # before table names: "" or '"schema".'
    lock_key: int | None = None  # PostgreSQL advisory lock serialising migrations

    @classmethod
    def sqlite(cls) -> Dialect:
        return cls("?")

    @classmethod
    def postgres(cls, schema: str, *, qualify: bool = True) -> Dialect:
        """`qualify=False` for connections whose search_path already names the schema."""
        prefix = f'"{schema}".' if qualify else ""
        return cls("%s", prefix, zlib.crc32(f"introductions-migrations:{schema}".encode()))

    def sql(self, template: str) -> str:
        return _translate(template, self.placeholder, self.prefix)

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column IN (...)` for the values (at most 500 on SQLite), as SQL and parameters."""
        if self.placeholder == "?":
            return f"{column} IN ({','.join('?' * len(values))})", list(values)
        return f"{column} = ANY(%s)", [list(values)]


@functools.lru_cache(maxsize=4096)  # the statements are few; each is translated once
def _translate(template: str, placeholder: str, prefix: str) -> str:
    text = template.replace("{s}", prefix)
    return text if placeholder == "?" else text.replace("?", placeholder)
