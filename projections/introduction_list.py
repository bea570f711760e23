"""The introduction list: one row per introduction, filtered by introducer, by party, by
status and by who may see it, newest first, with keyset pagination.

The sort key is `seq`, the log position of the proposal: unique, never changing, and in
proposal order, so a page boundary is one integer and a cursor stays valid while rows are
added or change status (no OFFSET, no skipped or repeated rows). Who takes part in which
introduction is a separate table (person, seq), so "as a party" and "visible to" are one
index range each instead of an OR over three columns."""

# ruff: noqa: S608 - table and column names are this module's constants; values are
# always bound parameters.

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import BadInput
from domain.introduction import ADMIN, Introduction, Status
from projections.base import Positioned, ViewProjection, columns_of, earlier_introductions
from projections.records import IntroductionRow, Page, copied
from projections.views import Cursor, View, from_us, to_us

Ev = Introduction
MAX_PAGE = 1000


@dataclass(slots=True)
class Listed:
    """A row of `introduction_list`, its fields the table's columns in order."""

    id: str
    seq: int  # the log position of the proposal
    introducer_id: str
    requester_id: str
    target_id: str
    status: str
    proposed_at_us: int
    updated_at_us: int
    version: int
    consents: int = 0


COLUMNS, _listed_values = columns_of(Listed)
MEMBER_COLUMNS = "person_id, seq, is_party"

_STATUS_AFTER = {
    Ev.ConsentDeclined: Status.DECLINED.value,
    Ev.ReplyRecorded: Status.REPLIED.value,
    Ev.RelationshipFormed: Status.RELATIONSHIP_FORMED.value,
    Ev.IntroductionBurned: Status.BURNED.value,
    Ev.IntroductionExpired: Status.EXPIRED.value,
}


class IntroductionListView(View):
    name = "introduction_list"
    tables = ("introduction_list", "introduction_members")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {s}introduction_list ("
        "id TEXT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, introducer_id TEXT NOT NULL, "
        "requester_id TEXT NOT NULL, target_id TEXT NOT NULL, status TEXT NOT NULL, "
        "proposed_at_us BIGINT NOT NULL, updated_at_us BIGINT NOT NULL, "
        "version BIGINT NOT NULL, consents BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS introduction_list_by_introducer "
        "ON {s}introduction_list (introducer_id, seq)",
        "CREATE INDEX IF NOT EXISTS introduction_list_by_status "
        "ON {s}introduction_list (status, seq)",
        "CREATE TABLE IF NOT EXISTS {s}introduction_members ("
        "person_id TEXT NOT NULL, seq BIGINT NOT NULL, is_party BIGINT NOT NULL, "
        "PRIMARY KEY (person_id, seq))",
    )

    def page(
        self,
        *,
        introducer_id: str | None = None,
        person_id: str | None = None,
        status: str | None = None,
        visible_to: str | None = None,
        first: int = 20,
        after: str | None = None,
        with_total: bool = True,
    ) -> Page[IntroductionRow]:
        """A page, newest first. The total is a count over every matching row, which
        grows with the log: only with `with_total` (the API asks for it only when a
        client selects totalCount)."""
        if not 0 <= first <= MAX_PAGE:
            msg = f"first must be between 0 and {MAX_PAGE}."
            raise BadInput(msg, field="first")
        if status is not None and status not in Status.__members__:
            allowed = ", ".join(Status.__members__)
            msg = f"status must be one of {allowed}; got {status!r}."
            raise BadInput(msg, field="status")
        joins: list[str] = []
        where: list[str] = []
        params: list[Any] = []
        if person_id is not None:
            joins.append(
                "JOIN {s}introduction_members p "
                "ON p.seq = l.seq AND p.person_id = ? AND p.is_party = 1"
            )
            params.append(person_id)
        if visible_to is not None and visible_to != ADMIN:
            joins.append("JOIN {s}introduction_members v ON v.seq = l.seq AND v.person_id = ?")
            params.append(visible_to)
        if introducer_id is not None:
            where.append("l.introducer_id = ?")
            params.append(introducer_id)
        if status is not None:
            where.append("l.status = ?")
            params.append(status)
        source = " ".join(["FROM {s}introduction_list l", *joins])
        count_sql = f"SELECT COUNT(*) {source}" + (f" WHERE {' AND '.join(where)}" if where else "")
        page_params = list(params)
        if after is not None:
            where.append("l.seq < ?")
            page_params.append(decode_cursor(after))
        columns = ", ".join(f"l.{c.strip()}" for c in COLUMNS.split(","))
        page_sql = (
            f"SELECT {columns} {source}"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY l.seq DESC LIMIT ?"
        )
        page_params.append(first + 1)
        with self.read() as cur:
            cur.execute(self.sql(page_sql), page_params)
            found = cur.fetchall()
            total = None
            if with_total:
                cur.execute(self.sql(count_sql), params)
                total = int(cur.fetchone()[0])
        rows = [_row(Listed(*r)) for r in found[:first]]
        end = rows[-1].cursor if rows else None
        return Page(rows=rows, end_cursor=end, has_next_page=len(found) > first, total_count=total)

    def share_an_introduction(self, person_id: str, other_id: str) -> bool:
        """Whether the two are in one introduction, in any roles: two primary-key lookups."""
        return self._any_row(
            "SELECT 1 FROM {s}introduction_members a JOIN {s}introduction_members b "
            "ON b.person_id = ? AND b.seq = a.seq WHERE a.person_id = ? LIMIT 1",
            (other_id, person_id),
        )

    def recent_contacts(self, person_id: str, introductions: int) -> list[str]:
        """The others of this person's `introductions` latest introductions (any role),
        the latest first: an index range on the person, then one row per introduction."""
        sql = (
            "SELECT introducer_id, requester_id, target_id FROM {s}introduction_list "
            "WHERE seq IN (SELECT seq FROM {s}introduction_members WHERE person_id = ? "
            "ORDER BY seq DESC LIMIT ?) ORDER BY seq DESC"
        )
        with self.read() as cur:
            cur.execute(self.sql(sql), (person_id, introductions))
            found = dict.fromkeys(p for row in cur.fetchall() for p in row)
        found.pop(person_id, None)
        return list(found)

    def introduced_to_each_other(self, person_id: str, other_id: str) -> bool:
        """Whether the two are the parties of one introduction, by anyone, in any state."""
        return self._any_row(
            "SELECT 1 FROM {s}introduction_members a JOIN {s}introduction_members b "
            "ON b.person_id = ? AND b.seq = a.seq AND b.is_party = 1 "
            "WHERE a.person_id = ? AND a.is_party = 1 LIMIT 1",
            (other_id, person_id),
        )

    def _any_row(self, sql: str, params: tuple[str, ...]) -> bool:
        with self.read() as cur:
            cur.execute(self.sql(sql), params)
            return cur.fetchone() is not None

    def rows(self) -> list[tuple[Any, ...]]:
        with self.read() as cur:
            cur.execute(self.sql(f"SELECT {COLUMNS} FROM {{s}}introduction_list ORDER BY seq"))
            return [tuple(r) for r in cur.fetchall()]


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


MAX_SEQ = 2**63 - 1  # a BIGINT on both backends: a larger number cannot be bound as a parameter


def decode_cursor(cursor: str) -> int:
    """The position in a cursor made by encode_cursor, and nothing else (ASCII digits, no
    leading zeros, within MAX_SEQ)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = raw.partition(":")
        if prefix != "seq" or not (number.isascii() and number.isdigit()) or len(number) > 19:
            raise ValueError(raw)
        seq = int(number)
        if str(seq) != number or seq > MAX_SEQ:
            raise ValueError(raw)
        return seq
    except (ValueError, binascii.Error, UnicodeDecodeError):
        msg = "after is not a cursor from a previous page: pass pageInfo.endCursor as it came."
        raise BadInput(msg, field="after") from None


def _row(listed: Listed) -> IntroductionRow:
    proposed_at, updated_at = from_us(listed.proposed_at_us), from_us(listed.updated_at_us)
    cursor = encode_cursor(listed.seq)
    return copied(
        IntroductionRow, listed, proposed_at=proposed_at, updated_at=updated_at, cursor=cursor
    )


class IntroductionListProjection(ViewProjection[IntroductionListView]):
    def fold(self, cur: Cursor, events: Sequence[Positioned]) -> None:
        view = self.typed_view
        loaded = view.load(cur, "introduction_list", COLUMNS, "id", earlier_introductions(events))
        rows = {key: Listed(*row) for key, row in loaded.items()}
        members: list[tuple[Any, ...]] = []
        changed: set[str] = set()
        for position, e, introduction_id in events:
            kind = type(e)
            at = to_us(e.timestamp)
            if kind is Ev.IntroductionProposed:
                seq = position
                rows[introduction_id] = Listed(
                    introduction_id, seq, e.introducer_id, e.requester_id, e.target_id,
                    Status.PROPOSED.value, at, at, e.originator_version,
                )  # fmt: skip
                members.append((e.introducer_id, seq, 0))
                members.append((e.requester_id, seq, 1))
                members.append((e.target_id, seq, 1))
            else:
                row = rows.get(introduction_id)
                if row is None:
                    continue
                if kind is Ev.ConsentGiven:
                    row.consents += 1
                    if row.consents == 2:
                        row.status = Status.CONSENTED.value
                elif kind in _STATUS_AFTER:
                    row.status = _STATUS_AFTER[kind]
                row.updated_at_us = at
                row.version = e.originator_version
            changed.add(introduction_id)
        view.upsert(
            cur, "introduction_list", COLUMNS, [_listed_values(rows[i]) for i in sorted(changed)]
        )
        view.insert(cur, "introduction_members", MEMBER_COLUMNS, members)
