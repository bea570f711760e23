"""The people directory and each person's tokens: who is registered, found by the words
of their name and organisation, in name order with keyset pagination; and the tokens
issued to each person (ids and dates only: a token itself is never stored).

Search matches word prefixes: a search's words must each begin a word of the display
name or the organisation, case- and accent-insensitively ("ja sm" finds "Jason Smith",
"jose" finds "José"). Every prefix of every word is a row of `people_words`, keyed
(prefix, name key, id), so a search is one index range in name order, however many
people there are: no scan, no sort. Other words of the search are checked by their
own primary-key lookups. Folding in Python (casefold, accents stripped) rather than in
SQL keeps the matching the same on SQLite and PostgreSQL."""

# ruff: noqa: S608 - table and column names are this module's constants; values are
# always bound parameters.

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from domain.access import AccessToken
from domain.errors import BadInput
from domain.person import Person
from domain.personal import FORGOTTEN_NAME, plain
from projections.base import Positioned, ViewProjection
from projections.records import Page, PersonRow, TokenRow
from projections.views import Cursor, View, from_us, to_us

MAX_PAGE = 1000
SEARCH_MAX = 200  # characters
SEARCH_WORDS_MAX = 8
PREFIX_MAX = 40  # longer words are indexed (and searched) by their first 40 characters
_WORD = re.compile(r"\w+")

PEOPLE_COLUMNS = "id, name_key, display_name, organization, registered_at_us"
WORD_COLUMNS = "prefix, name_key, person_id"
TOKEN_COLUMNS = "token_id, person_id, created_at_us, expires_at_us, revoked"  # noqa: S105


def folded(text: str) -> str:
    """Lower case without accents: what names are compared by."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return [w[:PREFIX_MAX] for w in _WORD.findall(folded(text))]


def prefixes(*texts: str | None) -> set[str]:
    return {w[:n] for t in texts if t for w in words(t) for n in range(1, len(w) + 1)}


def search_words(search: str | None) -> list[str] | None:
    """The words a search must match, longest first (the rarest, to walk the fewest
    rows); None when there is nothing to search for (everyone)."""
    if search is None or not search.strip():
        return None
    if len(search) > SEARCH_MAX:
        msg = f"search is longer than {SEARCH_MAX} characters."
        raise BadInput(msg, field="search")
    found = sorted(set(words(search)), key=lambda w: (-len(w), w))
    if len(found) > SEARCH_WORDS_MAX:
        msg = f"search has more than {SEARCH_WORDS_MAX} words."
        raise BadInput(msg, field="search")
    return found


class PeopleView(View):
    name = "people"
    tables = ("people", "people_words", "people_tokens")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {s}people ("
        "id TEXT PRIMARY KEY, name_key TEXT NOT NULL, display_name TEXT NOT NULL, "
        "organization TEXT, registered_at_us BIGINT NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS people_by_name ON {s}people (name_key, id)",
        "CREATE TABLE IF NOT EXISTS {s}people_words ("
        "prefix TEXT NOT NULL, name_key TEXT NOT NULL, person_id TEXT NOT NULL, "
        "PRIMARY KEY (prefix, name_key, person_id))",
        "CREATE TABLE IF NOT EXISTS {s}people_tokens ("
        "token_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, created_at_us BIGINT NOT NULL, "
        "expires_at_us BIGINT, revoked BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS people_tokens_by_person "
        "ON {s}people_tokens (person_id, created_at_us)",
    )

    def page(
        self,
        *,
        search: str | None = None,
        first: int = 20,
        after: str | None = None,
        with_total: bool = True,
    ) -> Page[PersonRow]:
        """People in name order (then id), those matching `search` only when given."""
        if not 0 <= first <= MAX_PAGE:
            msg = f"first must be between 0 and {MAX_PAGE}."
            raise BadInput(msg, field="first")
        terms = search_words(search)
        if terms == []:  # only punctuation: no word can match
            return Page([], None, False, 0 if with_total else None)
        page_sql, page_params, count_sql, params = self.queries(terms, first, after)
        with self.read() as cur:
            cur.execute(page_sql, page_params)
            found = cur.fetchall()
            total = None
            if with_total:
                cur.execute(count_sql, params)
                total = int(cur.fetchone()[0])
        rows = [
            PersonRow(r[0], display_name=r[2], organization=r[3], cursor=encode_cursor(r[1], r[0]))
            for r in found[:first]
        ]
        return Page(
            rows=rows,
            end_cursor=rows[-1].cursor if rows else None,
            has_next_page=len(found) > first,
            total_count=total,
        )

    def queries(
        self, terms: list[str] | None, first: int, after: str | None
    ) -> tuple[str, list[Any], str, list[Any]]:
        """The SQL (and parameters) of a page and of its total."""
        where: list[str] = []
        params: list[Any] = []
        if terms is None:
            source, key, person = "{s}people p", "p.name_key", "p.id"
        else:
            source = "{s}people_words w JOIN {s}people p ON p.id = w.person_id"
            key, person = "w.name_key", "w.person_id"
            where.append("w.prefix = ?")
            params.append(terms[0])
            for term in terms[1:]:
                where.append(
                    "EXISTS (SELECT 1 FROM {s}people_words o WHERE o.prefix = ? "
                    f"AND o.name_key = {key} AND o.person_id = {person})"
                )
                params.append(term)
        count_sql = f"SELECT COUNT(*) FROM {source} WHERE {' AND '.join(where) or '1 = 1'}"
        page_params = list(params)
        if after is not None:
            where.append(f"({key} > ? OR ({key} = ? AND {person} > ?))")
            after_key, after_id = decode_cursor(after)
            page_params += [after_key, after_key, after_id]
        page_sql = (
            f"SELECT p.id, p.name_key, p.display_name, p.organization FROM {source} "
            f"WHERE {' AND '.join(where) or '1 = 1'} ORDER BY {key}, {person} LIMIT ?"
        )
        page_params.append(first + 1)
        return self.sql(page_sql), page_params, self.sql(count_sql), params

    def display_names(self, person_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self.read() as cur:
            for start in range(0, len(person_ids), 500):
                chunk = person_ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                cur.execute(
                    self.sql(f"SELECT id, display_name FROM {{s}}people WHERE id IN ({marks})"),
                    list(chunk),
                )
                found.update((r[0], r[1]) for r in cur.fetchall())
        return found

    def tokens(self, person_id: str) -> list[TokenRow]:
        """A person's tokens, oldest first."""
        with self.read() as cur:
            cur.execute(
                self.sql(
                    "SELECT token_id, created_at_us, expires_at_us, revoked FROM {s}people_tokens "
                    "WHERE person_id = ? ORDER BY created_at_us, token_id"
                ),
                (person_id,),
            )
            return [
                TokenRow(
                    token_id=r[0],
                    created_at=from_us(r[1]),
                    expires_at=None if r[2] is None else from_us(r[2]),
                    revoked=bool(r[3]),
                )
                for r in cur.fetchall()
            ]


def encode_cursor(name_key: str, person_id: str) -> str:
    raw = json.dumps([name_key, person_id], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        name_key, person_id = json.loads(raw)
        if not isinstance(name_key, str) or not isinstance(person_id, str):
            raise ValueError(raw)
        return name_key, person_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        msg = "after is not a cursor from a previous page: pass pageInfo.endCursor as it came."
        raise BadInput(msg, field="after") from None


class PeopleProjection(ViewProjection[PeopleView]):
    name = "people"
    event_types = frozenset(
        {
            Person.PersonRegistered,
            Person.PersonProfileUpdated,
            Person.PersonForgotten,
            AccessToken.TokenIssued,
            AccessToken.TokenRevoked,
        }
    )

    def fold(self, cur: Cursor, events: Sequence[Positioned]) -> None:
        view = self.typed_view
        people: list[tuple[Any, ...]] = []
        prefix_rows: list[tuple[Any, ...]] = []
        issued: list[tuple[Any, ...]] = []
        revoked: list[str] = []
        for _, e, originator_id in events:
            kind = type(e)
            if kind is Person.PersonRegistered:
                name, organization = opened_name(e)
                name_key = folded(name)
                people.append((originator_id, name_key, name, organization, to_us(e.timestamp)))
                prefix_rows += [(p, name_key, originator_id) for p in prefixes(name, organization)]
            elif kind is Person.PersonProfileUpdated or kind is Person.PersonForgotten:
                # rare: the rows gathered so far go first, as a rebuild would write them
                view.insert(cur, "people", PEOPLE_COLUMNS, people)
                view.insert(cur, "people_words", WORD_COLUMNS, prefix_rows)
                people, prefix_rows = [], []
                self.renamed(cur, originator_id, *opened_name(e))
            elif kind is AccessToken.TokenIssued:
                expires = None if e.expires_at is None else to_us(e.expires_at)
                issued.append((originator_id, e.person_id, to_us(e.timestamp), expires, 0))
            elif kind is AccessToken.TokenRevoked:
                revoked.append(originator_id)
        view.insert(cur, "people", PEOPLE_COLUMNS, people)
        view.insert(cur, "people_words", WORD_COLUMNS, prefix_rows)
        view.insert(cur, "people_tokens", TOKEN_COLUMNS, issued)
        if revoked:  # rare: one statement each
            statement = view.sql("UPDATE {s}people_tokens SET revoked = 1 WHERE token_id = ?")
            cur.executemany(statement, [(token_id,) for token_id in revoked])

    def renamed(
        self, cur: Cursor, person_id: str, display_name: str, organization: str | None
    ) -> None:
        """A profile's new name and organisation: its old words out, its new ones in."""
        view = self.typed_view
        cur.execute(
            view.sql("SELECT name_key, display_name, organization FROM {s}people WHERE id = ?"),
            (person_id,),
        )
        old_key, old_name, old_organization = cur.fetchone()
        cur.executemany(
            view.sql(
                "DELETE FROM {s}people_words WHERE prefix = ? AND name_key = ? AND person_id = ?"
            ),
            [(p, old_key, person_id) for p in prefixes(old_name, old_organization)],
        )
        name_key = folded(display_name)
        cur.execute(
            view.sql(
                "UPDATE {s}people SET name_key = ?, display_name = ?, organization = ? WHERE id = ?"
            ),
            (name_key, display_name, organization, person_id),
        )
        view.insert(
            cur,
            "people_words",
            WORD_COLUMNS,
            [(p, name_key, person_id) for p in prefixes(display_name, organization)],
        )


def opened_name(e: Any) -> tuple[str, str | None]:
    """(display name, organization) as the view shows them: a forgotten person's, or one
    whose key is destroyed, as "Forgotten person" (domain.personal)."""
    if isinstance(e, Person.PersonForgotten):
        return FORGOTTEN_NAME, None
    name = plain(e.display_name)
    return (FORGOTTEN_NAME, None) if name is None else (name, plain(e.organization))
