"""The use cases. Every command takes the actor's id and returns the new state with the
log position of its last event, which read models can be asked to wait for."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.utils import EnvType

from domain.aggregate_locks import AggregateLocks
from domain.batched_reads import BatchedReads
from domain.chain import ChainedAggregate, event_data, event_id
from domain.errors import BadInput, ConcurrencyConflict, Forbidden, NotFound
from domain.introduction import ADMIN, BurnCause, Introduction
from domain.pair_index import PairIndex, pair_index_id
from domain.person import Person
from domain.token_use_cases import TokenUseCases
from domain.use_case_base import (
    MAX_ATTEMPTS,
    RETRY_PAUSE_SECONDS,
    Clock,
    busy,
    canonical_id,
    parse_id,
    require_admin,
    utc_now,
)
from domain.webhook_use_cases import WebhookRegistration, WebhookResult, WebhookUseCases

# Re-exported: callers import these from the application module.
__all__ = [
    "Clock",
    "CommandResult",
    "HistoryEntry",
    "IntroductionsApp",
    "PersonResult",
    "WebhookRegistration",
    "WebhookResult",
    "parse_id",
    "utc_now",
]

DEFAULT_EXPIRE_AFTER = timedelta(days=14)
SNAPSHOT_EVERY = 100


@dataclass(frozen=True)
class CommandResult:
    introduction: Introduction
    position: int  # notification id of the last event written: wait for it to read it


@dataclass(frozen=True)
class PersonResult:
    person: Person
    position: int


@dataclass(frozen=True)
class HistoryEntry:
    id: UUID
    introduction_id: UUID
    version: int
    type: str
    occurred_at: datetime
    actor_id: str | None
    data: dict[str, Any]
    chain_hash: str


@dataclass(frozen=True)
class Once:
    """A command's idempotency key, its name and its arguments besides the id and the
    expected version (which every change has)."""

    key: str | None
    operation: str
    arguments: Sequence[object] = ()


class IntroductionsApp(TokenUseCases, WebhookUseCases, BatchedReads):
    name = "Introductions"
    is_snapshotting_enabled = True
    snapshotting_intervals = {Introduction: SNAPSHOT_EVERY}  # noqa: RUF012
    # Commands find the aggregates they touch in memory and read only the events recorded
    # since (by any process), instead of a snapshot and up to a hundred events each time.
    env = {"AGGREGATE_CACHE_MAXSIZE": "4096", "AGGREGATE_CACHE_FASTFORWARD": "y"}  # noqa: RUF012

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        clock: Clock = utc_now,
        expire_after: timedelta = DEFAULT_EXPIRE_AFTER,
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.expire_after = expire_after
        self._aggregate_locks = AggregateLocks()

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        # A command saves one event: the saved aggregate is then at the snapshot's
        # version, so it is snapshotted as it is in memory, instead of the library's
        # way, which reads it back (its last snapshot and up to a hundred events) to
        # rebuild it (py-spy on serve under replies). A save of several events falls back.
        if self.snapshots is None:
            return
        aggregates = processing_event.aggregates
        for event in processing_event.events:
            aggregate = aggregates.get(event.originator_id)
            if aggregate is None:
                continue
            interval = self.snapshotting_intervals.get(type(aggregate))
            if not interval or event.originator_version % interval:
                continue
            if aggregate.version == event.originator_version:
                snapshot_class = getattr(type(aggregate), "Snapshot", type(self).snapshot_class)
                assert snapshot_class is not None  # the library's, unless one says else
                self.snapshots.put([snapshot_class.take(aggregate)])
            else:
                self.take_snapshot(event.originator_id, version=event.originator_version)

    # --- people ------------------------------------------------------------------

    def register_person(
        self,
        actor_id: str,
        display_name: str,
        organization: str | None = None,
        offers: Sequence[str] | None = None,
        needs: Sequence[str] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> PersonResult:
        require_admin(actor_id, "register people")
        offers = list(offers) if offers is not None else None
        needs = list(needs) if needs is not None else None

        def register() -> PersonResult:
            person = Person.register(
                id=uuid4(),
                display_name=display_name,
                organization=organization,
                offers=offers,
                needs=needs,
                actor_id=actor_id,
                at=self._now(),
            )
            return PersonResult(person, self._save(person))

        arguments = [display_name, organization, offers, needs]
        return self._once(
            actor_id, idempotency_key, "registerPerson", arguments, register, self._person_result
        )

    def update_profile(
        self,
        actor_id: str,
        person_id: str | None = None,
        display_name: str | None = None,
        organization: str | None = None,
        offers: Sequence[str] | None = None,
        needs: Sequence[str] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> PersonResult:
        """A person updates their own profile (person_id None or their own id); the admin
        anyone's, naming them. None leaves a field as it is. When nothing would change,
        nothing is written and the person is answered as they are."""
        owner = self._profile_owner(actor_id, person_id)
        new_offers = list(offers) if offers is not None else None
        new_needs = list(needs) if needs is not None else None

        def update() -> PersonResult:
            with self._aggregate_locks.turn(str(owner)):
                for attempt in range(MAX_ATTEMPTS):
                    person = self._get(Person, owner, "personId")
                    if person is None:
                        msg = f"No person has the id {owner}."
                        raise NotFound(msg, field="personId")
                    changed = person.update_profile(
                        display_name=display_name,
                        organization=organization,
                        offers=new_offers,
                        needs=new_needs,
                        actor_id=actor_id,
                        at=self._now(),
                    )
                    if not changed:
                        return PersonResult(person, self._position_now())
                    try:
                        return PersonResult(person, self._save(person))
                    except ConcurrencyConflict:
                        time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * 2**attempt))  # noqa: S311
            raise busy()

        arguments = [str(owner), display_name, organization, new_offers, new_needs]
        return self._once(
            actor_id, idempotency_key, "updateMyProfile", arguments, update, self._person_result
        )

    def _profile_owner(self, actor_id: str, person_id: str | None) -> UUID:
        if person_id is None:
            if actor_id == ADMIN:
                msg = "The admin updates a profile by naming the person: give personId."
                raise BadInput(msg, field="personId")
            return parse_id(actor_id, "personId")
        owner = parse_id(person_id, "personId")
        if actor_id not in (ADMIN, str(owner)):
            msg = "A person may update only their own profile."
            raise Forbidden(msg, field="personId")
        return owner

    def get_person(self, person_id: str | UUID) -> Person:
        person = self._get(Person, person_id, "id")
        if person is None:
            msg = f"No person has the id {person_id}."
            raise NotFound(msg)
        return person

    # --- introductions -----------------------------------------------------------

    def propose(
        self,
        actor_id: str,
        requester_id: str,
        target_id: str,
        context: str,
        guidelines: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        arguments = [
            canonical_id(requester_id),
            canonical_id(target_id),
            context,
            guidelines,
        ]
        return self._once(
            actor_id,
            idempotency_key,
            "proposeIntroduction",
            arguments,
            lambda: self._propose(actor_id, requester_id, target_id, context, guidelines),
            self._introduction_result,
        )

    def _propose(
        self,
        actor_id: str,
        requester_id: str,
        target_id: str,
        context: str,
        guidelines: str | None,
    ) -> CommandResult:
        if actor_id == ADMIN:
            msg = "The admin is not a person: propose with the introducer's own token."
            raise Forbidden(msg)
        # The canonical ids: "ABC…" or "{abc…}" must not make another introducer or pair.
        introducer = self._known_person(actor_id, "introducerId")
        requester = self._known_person(requester_id, "requesterId")
        target = self._known_person(target_id, "targetId")
        for _ in range(MAX_ATTEMPTS):
            introduction = Introduction.propose(
                id=uuid4(),
                introducer_id=str(introducer.id),
                requester_id=str(requester.id),
                target_id=str(target.id),
                context=context,
                guidelines=guidelines,
                at=self._now(),
            )
            index = self._claim_pair(introduction)
            try:
                return CommandResult(introduction, self._save(introduction, index))
            except ConcurrencyConflict:
                continue  # another proposal of the same pair won; re-check against it
        raise busy()

    def consent(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.consent(actor_id, self._now()),
            Once(idempotency_key, "consentToIntroduction"),
        )

    def decline(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        reason: str | None = None,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.decline(actor_id, reason, self._now()),
            Once(idempotency_key, "declineIntroduction", [reason]),
        )

    def record_reply(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        message: str | None = None,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.record_reply(actor_id, message, self._now()),
            Once(idempotency_key, "recordReply", [message]),
        )

    def record_relationship_formed(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        note: str | None = None,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.record_relationship_formed(actor_id, note, self._now()),
            Once(idempotency_key, "recordRelationshipFormed", [note]),
        )

    def burn(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        blamed_person_id: str,
        reason: str,
        cause: str = BurnCause.UNKNOWN.value,
        note: str | None = None,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        blamed = str(parse_id(blamed_person_id, "blamedPersonId"))  # canonical, as parties are
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.burn(actor_id, blamed, reason, cause, note, self._now()),
            Once(idempotency_key, "burnIntroduction", [blamed, reason, cause, note]),
        )

    def expire(
        self, introduction_id: str | UUID, expected_version: int | None = None
    ) -> CommandResult:
        """Expires one stale CONSENTED introduction; the actor is the system."""
        return self._change(
            ADMIN,
            introduction_id,
            expected_version,
            lambda i: i.expire(self._now(), self.expire_after),
        )

    # --- reading -----------------------------------------------------------------

    def get_introduction(self, introduction_id: str | UUID, actor_id: str = ADMIN) -> Introduction:
        return self._visible_introduction(introduction_id, actor_id)

    def introduction_at(
        self,
        introduction_id: str | UUID,
        version: int | None = None,
        at: datetime | None = None,
        actor_id: str = ADMIN,
    ) -> Introduction | None:
        """The state as of a version or an instant (the last event at or before it);
        None before the first event."""
        current = self._visible_introduction(introduction_id, actor_id)
        if version is not None and version < 1:
            msg = "version must be 1 or more."
            raise BadInput(msg, field="version")
        if at is not None:
            if at.tzinfo is None:
                msg = "at must carry a UTC offset, as in 2026-11-25T18:00:00+00:00."
                raise BadInput(msg, field="at")
            at_version = self._version_at(current, at)
            if at_version is None:
                return None
            version = at_version if version is None else min(version, at_version)
        if version is None or version >= current.version:
            return current
        return self.repository.get(current.id, version=version)

    def history(self, introduction_id: str | UUID, actor_id: str = ADMIN) -> list[HistoryEntry]:
        introduction = self._visible_introduction(introduction_id, actor_id)
        return [history_entry(e) for e in self.events.get(introduction.id)]

    # --- internals ---------------------------------------------------------------

    def _visible_introduction(self, introduction_id: str | UUID, actor_id: str) -> Introduction:
        introduction = self._get(Introduction, introduction_id, "id")
        if introduction is None or not introduction.is_visible_to(actor_id):
            msg = f"No introduction has the id {introduction_id}."
            raise NotFound(msg)
        return introduction

    def _claim_pair(self, introduction: Introduction) -> PairIndex:
        index_id = pair_index_id(
            introduction.introducer_id, introduction.requester_id, introduction.target_id
        )
        new_id = str(introduction.id)
        try:
            index: object = self.repository.get(index_id)
        except AggregateNotFoundError:
            return PairIndex(
                id=index_id,
                introduction_id=new_id,
                actor_id=introduction.introducer_id,
                timestamp=introduction.created_on,
            )
        assert isinstance(index, PairIndex)
        open_introduction = self._get(Introduction, index.open_introduction_id, "id")
        if open_introduction is not None and not open_introduction.is_final:
            msg = (
                "You already have an open introduction of these two people "
                f"({open_introduction.id}, {open_introduction.status.value}); "
                "it must end before you propose another."
            )
            raise BadInput(msg, field="targetId")
        index.opened(
            introduction_id=new_id,
            actor_id=introduction.introducer_id,
            timestamp=introduction.created_on,
        )
        return index

    def _change(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        expected_version: int | None,
        command: Callable[[Introduction], None],
        once: Once | None = None,
    ) -> CommandResult:
        if once is None or once.key is None:
            return self._change_now(actor_id, introduction_id, expected_version, command)
        return self._once(
            actor_id,
            once.key,
            once.operation,
            [canonical_id(introduction_id), expected_version, *once.arguments],
            lambda: self._change_now(actor_id, introduction_id, expected_version, command),
            self._introduction_result,
        )

    def _change_now(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        expected_version: int | None,
        command: Callable[[Introduction], None],
    ) -> CommandResult:
        with self._aggregate_locks.turn(canonical_id(introduction_id)):
            return self._change_in_turn(actor_id, introduction_id, expected_version, command)

    def _change_in_turn(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        expected_version: int | None,
        command: Callable[[Introduction], None],
    ) -> CommandResult:
        for attempt in range(MAX_ATTEMPTS):
            introduction = self._visible_introduction(introduction_id, actor_id)
            if expected_version is not None and introduction.version != expected_version:
                msg = (
                    f"The introduction is at version {introduction.version}, not "
                    f"{expected_version}: read it again and decide anew."
                )
                raise ConcurrencyConflict(msg)
            command(introduction)
            try:
                return CommandResult(introduction, self._save(introduction))
            except ConcurrencyConflict:
                if expected_version is not None:
                    raise
                # No version was promised: re-validate against the fresh state, after a
                # random, growing pause so that racing writers do not collide again.
                time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * 2**attempt))  # noqa: S311
        raise busy()

    def _introduction_result(self, introduction_id: UUID, version: int) -> CommandResult:
        introduction: object = self.repository.get(introduction_id, version=version)
        assert isinstance(introduction, Introduction)
        return CommandResult(introduction, self._position_now())

    def _person_result(self, person_id: UUID, version: int) -> PersonResult:
        person: object = self.repository.get(person_id, version=version)
        assert isinstance(person, Person)
        return PersonResult(person, self._position_now())

    def _version_at(self, introduction: Introduction, at: datetime) -> int | None:
        """The last version recorded at or before `at`, by binary search over versions:
        about log2(versions / window) one-event reads and one read of the last window,
        instead of the whole history. It relies on times not going back along one
        introduction (one clock stamps them); if a clock did step back, the answer is
        still a version at or before `at` whose successor is after it."""
        if at < introduction.created_on:
            return None
        if at >= introduction.modified_on:
            return introduction.version
        window = 32  # reading this many events at once costs about one more round trip
        known, beyond = 1, introduction.version  # time(known) <= at < time(beyond)
        while beyond - known > window:
            middle = (known + beyond) // 2
            (probe,) = self.events.get(introduction.id, gt=middle - 1, lte=middle)
            assert isinstance(probe, ChainedAggregate.Event)
            if probe.timestamp <= at:
                known = middle
            else:
                beyond = middle
        for event in self.events.get(introduction.id, gt=known, lte=beyond - 1):
            assert isinstance(event, ChainedAggregate.Event)
            if event.timestamp > at:
                break
            known = event.originator_version
        return known


def history_entry(e: Any) -> HistoryEntry:
    fields = vars(e)
    return HistoryEntry(
        id=event_id(e.originator_id, e.originator_version),
        introduction_id=e.originator_id,
        version=e.originator_version,
        type=type(e).__name__,
        occurred_at=e.timestamp,
        actor_id=fields.get("actor_id"),
        data=event_data(fields),
        chain_hash=fields.get("chain_hash", ""),
    )
