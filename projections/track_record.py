"""Track record of a person as a party (docs/domain.md): counts, the burns they were blamed
for (for the reasons in words), and the screening derived from them at read time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.introduction import Introduction
from projections.base import OpenRows, Positioned, ViewProjection, columns_of
from projections.records import TrackRecord, copied
from projections.screening import Burn, reasons, screening
from projections.views import Cursor, View, to_us

Ev = Introduction


@dataclass(slots=True)
class Party:
    """A row of `track_records`, its fields the table's columns in order."""

    person_id: str
    introductions_as_party: int = 0
    consents_given: int = 0
    declines: int = 0
    replies_sent: int = 0
    burns_blamed: int = 0
    ghosted: int = 0


@dataclass(slots=True)
class OpenIntroduction:
    """A row of `track_record_introductions`: the parties, and whether each replied."""

    introduction_id: str
    requester_id: str
    target_id: str
    requester_replied: int = 0
    target_replied: int = 0


COLUMNS, _party_values = columns_of(Party)
BURN_COLUMNS = "person_id, introduction_id, reason, cause, burned_at_us"


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
            found = self.load(cur, "track_records", COLUMNS, "person_id", [person_id])
            if person_id not in found:
                return TrackRecord(person_id, 0, 0, 0, 0, 0, 0, screening([], 0), [])
            cur.execute(
                self.sql(
                    "SELECT reason, cause FROM {s}track_record_burns WHERE person_id = ? "
                    "ORDER BY burned_at_us, introduction_id"
                ),
                (person_id,),
            )
            burns = [Burn(reason, cause) for reason, cause in cur.fetchall()]
        party = Party(*found[person_id])
        judged, why = screening(burns, party.ghosted), reasons(burns, party.ghosted)
        return copied(TrackRecord, party, screening=judged, reasons=why)


class TrackRecordProjection(ViewProjection[TrackRecordView]):
    def fold(self, cur: Cursor, events: Sequence[Positioned]) -> None:
        view = self.typed_view
        opened = OpenRows(view, cur, "track_record_introductions", OpenIntroduction, events)
        persons = {e.actor_id for _, e, _ in events if e.actor_id}
        for _, e, _ in events:
            if type(e) is Ev.IntroductionProposed:
                persons.update((e.requester_id, e.target_id))
            elif type(e) is Ev.IntroductionBurned:
                persons.add(e.blamed_person_id)
        for known in opened.rows.values():
            persons.update((known.requester_id, known.target_id))
        loaded = view.load(cur, "track_records", COLUMNS, "person_id", persons)
        people = {key: Party(*row) for key, row in loaded.items()}
        changed: set[str] = set()
        burns: list[tuple[Any, ...]] = []

        def person(person_id: str) -> Party:
            party = people.get(person_id)
            if party is None:
                party = people[person_id] = Party(person_id)
            changed.add(person_id)
            return party

        for _, e, introduction_id in events:
            kind = type(e)
            if kind is Ev.IntroductionProposed:
                opened.open(
                    introduction_id, OpenIntroduction(introduction_id, e.requester_id, e.target_id)
                )
                person(e.requester_id).introductions_as_party += 1
                person(e.target_id).introductions_as_party += 1
                continue
            introduction = opened.rows.get(introduction_id)
            if introduction is None:
                continue  # already final: nothing can change it
            if kind is Ev.ConsentGiven:
                person(e.actor_id).consents_given += 1
            elif kind is Ev.ReplyRecorded:
                person(e.actor_id).replies_sent += 1
                if e.actor_id == introduction.requester_id:
                    introduction.requester_replied = 1
                else:
                    introduction.target_replied = 1
            elif kind is Ev.ConsentDeclined:
                person(e.actor_id).declines += 1
                opened.close(introduction_id)
            elif kind is Ev.IntroductionBurned:
                person(e.blamed_person_id).burns_blamed += 1
                burns.append(
                    (e.blamed_person_id, introduction_id, e.reason, e.cause, to_us(e.timestamp))
                )
                opened.close(introduction_id)
            elif kind is Ev.IntroductionExpired:
                if not introduction.requester_replied:
                    person(introduction.requester_id).ghosted += 1
                if not introduction.target_replied:
                    person(introduction.target_id).ghosted += 1
                opened.close(introduction_id)
            elif kind is Ev.RelationshipFormed:
                opened.close(introduction_id)

        view.upsert(
            cur, "track_records", COLUMNS, [_party_values(people[p]) for p in sorted(changed)]
        )
        view.insert(cur, "track_record_burns", BURN_COLUMNS, burns)
        opened.save(cur)
