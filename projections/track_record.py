"""Track record of a person as a party (DOMAIN.md): counts, the burns they were blamed
for (for the reasons in words), and the screening derived from them at read time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.introduction import Introduction
from projections.base import Positioned, ViewProjection, earlier_introductions
from projections.records import TrackRecord
from projections.screening import Burn, reasons, screening
from projections.views import Cursor, View, to_us

Ev = Introduction

COLUMNS = (
    "person_id, introductions_as_party, consents_given, declines, replies_sent, "
    "burns_blamed, ghosted"
)
_ID, AS_PARTY, CONSENTS, DECLINES, REPLIES, BURNS, GHOSTED = range(7)
BURN_COLUMNS = "person_id, introduction_id, reason, cause, burned_at_us"
INTRODUCTION_COLUMNS = "introduction_id, requester_id, target_id, requester_replied, target_replied"
_REQUESTER, _TARGET, _REQUESTER_REPLIED, _TARGET_REPLIED = 1, 2, 3, 4


class TrackRecordView(View):
    name = "track_record"
    tables = ("track_records", "track_record_burns", "track_record_introductions")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {s}track_records ("
        "person_id TEXT PRIMARY KEY, introductions_as_party BIGINT NOT NULL, "
        "consents_given BIGINT NOT NULL, declines BIGINT NOT NULL, "
        "replies_sent BIGINT NOT NULL, burns_blamed BIGINT NOT NULL, ghosted BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {s}track_record_burns ("
        "person_id TEXT NOT NULL, introduction_id TEXT NOT NULL, reason TEXT NOT NULL, "
        "cause TEXT NOT NULL, burned_at_us BIGINT NOT NULL, "
        "PRIMARY KEY (person_id, introduction_id))",
        # Open introductions only: who the parties are and whether each has replied.
        "CREATE TABLE IF NOT EXISTS {s}track_record_introductions ("
        "introduction_id TEXT PRIMARY KEY, requester_id TEXT NOT NULL, "
        "target_id TEXT NOT NULL, requester_replied BIGINT NOT NULL, "
        "target_replied BIGINT NOT NULL)",
    )

    def record(self, person_id: str) -> TrackRecord:
        with self.read() as cur:
            row = self.load(cur, "track_records", COLUMNS, "person_id", [person_id]).get(person_id)
            if row is None:
                return TrackRecord(person_id, 0, 0, 0, 0, 0, 0, screening([], 0), [])
            cur.execute(
                self.sql(
                    "SELECT reason, cause FROM {s}track_record_burns WHERE person_id = ? "
                    "ORDER BY burned_at_us, introduction_id"
                ),
                (person_id,),
            )
            burns = [Burn(reason, cause) for reason, cause in cur.fetchall()]
        return TrackRecord(
            person_id=person_id,
            introductions_as_party=row[AS_PARTY],
            consents_given=row[CONSENTS],
            declines=row[DECLINES],
            replies_sent=row[REPLIES],
            burns_blamed=row[BURNS],
            ghosted=row[GHOSTED],
            screening=screening(burns, row[GHOSTED]),
            reasons=reasons(burns, row[GHOSTED]),
        )


class TrackRecordProjection(ViewProjection[TrackRecordView]):
    def fold(self, cur: Cursor, events: Sequence[Positioned]) -> None:
        view = self.typed_view
        opened = view.load(
            cur,
            "track_record_introductions",
            INTRODUCTION_COLUMNS,
            "introduction_id",
            earlier_introductions(events),
        )
        stored = set(opened)
        persons = {e.actor_id for _, e, _ in events if e.actor_id}
        for _, e, _ in events:
            if type(e) is Ev.IntroductionProposed:
                persons.update((e.requester_id, e.target_id))
            elif type(e) is Ev.IntroductionBurned:
                persons.add(e.blamed_person_id)
        for row in opened.values():
            persons.update((row[_REQUESTER], row[_TARGET]))
        people = view.load(cur, "track_records", COLUMNS, "person_id", persons)
        changed: set[str] = set()
        closed: set[str] = set()
        burns: list[tuple[Any, ...]] = []

        def person(person_id: str) -> list[Any]:
            row = people.get(person_id)
            if row is None:
                row = people[person_id] = [person_id, 0, 0, 0, 0, 0, 0]
            changed.add(person_id)
            return row

        for _, e, introduction_id in events:
            kind = type(e)
            if kind is Ev.IntroductionProposed:
                opened[introduction_id] = [introduction_id, e.requester_id, e.target_id, 0, 0]
                closed.discard(introduction_id)
                person(e.requester_id)[AS_PARTY] += 1
                person(e.target_id)[AS_PARTY] += 1
                continue
            introduction = opened.get(introduction_id)
            if introduction is None:
                continue  # already final: nothing can change it
            if kind is Ev.ConsentGiven:
                person(e.actor_id)[CONSENTS] += 1
            elif kind is Ev.ReplyRecorded:
                person(e.actor_id)[REPLIES] += 1
                flag = (
                    _REQUESTER_REPLIED
                    if e.actor_id == introduction[_REQUESTER]
                    else _TARGET_REPLIED
                )
                introduction[flag] = 1
            elif kind is Ev.ConsentDeclined:
                person(e.actor_id)[DECLINES] += 1
                closed.add(introduction_id)
            elif kind is Ev.IntroductionBurned:
                person(e.blamed_person_id)[BURNS] += 1
                burns.append(
                    (e.blamed_person_id, introduction_id, e.reason, e.cause, to_us(e.timestamp))
                )
                closed.add(introduction_id)
            elif kind is Ev.IntroductionExpired:
                if not introduction[_REQUESTER_REPLIED]:
                    person(introduction[_REQUESTER])[GHOSTED] += 1
                if not introduction[_TARGET_REPLIED]:
                    person(introduction[_TARGET])[GHOSTED] += 1
                closed.add(introduction_id)
            elif kind is Ev.RelationshipFormed:
                closed.add(introduction_id)

        view.upsert(cur, "track_records", COLUMNS, [tuple(people[p]) for p in sorted(changed)])
        view.insert(cur, "track_record_burns", BURN_COLUMNS, burns)
        view.delete(cur, "track_record_introductions", "introduction_id", sorted(closed & stored))
        view.upsert(
            cur,
            "track_record_introductions",
            INTRODUCTION_COLUMNS,
            [tuple(row) for key, row in sorted(opened.items()) if key not in closed],
        )
