"""The application: `handle(actor_id, command)` runs every command (domain/commands.py),
by the table `HANDLERS` at the end of this module, and answers its result with the log
position of its last event, which read models can be asked to wait for."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import EnvType

from domain import commands
from domain.aggregate_locks import AggregateLocks
from domain.batched_reads import BatchedReads
from domain.chain import ChainedAggregate, event_data, event_id
from domain.commands import Command, IntroductionChange
from domain.errors import BadInput, ConcurrencyConflict, DomainError, Forbidden, NotFound
from domain.introduction import ADMIN, Introduction
from domain.pair_index import PairIndex, pair_index_id
from domain.person import Person
from domain.personal import Keyring, Sealed, SealedAsStored, opened_data, sealing
from domain.results import CommandResult, PersonResult, WebhookRegistration, WebhookResult
from domain.shorthands import Shorthands
from domain.token_use_cases import TokenUseCases
from domain.use_case_base import (
    MAX_ATTEMPTS,
    RETRY_PAUSE_SECONDS,
    Claim,
    Clock,
    Decision,
    KeyTaken,
    busy,
    canonical_id,
    parse_id,
    require_admin,
    utc_now,
)
from domain.webhook_use_cases import WebhookUseCases

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
C = TypeVar("C", bound=Command[Any])
R = TypeVar("R")
NO_TURN = nullcontext()


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


@dataclass(frozen=True, slots=True)
class Handler(Generic[C, R]):
    """How `handle` runs one type of command."""

    decide: Callable[[IntroductionsApp, str, C], Decision[R]]  # load, then the rule
    rebuild: Callable[[IntroductionsApp, UUID, int], R]  # the answer to a repeated key
    # Before the key is read: who may, and the command in canonical form.
    admit: Callable[[IntroductionsApp, str, C], C] | None = None
    # The aggregate on which this process's commands take turns instead of racing.
    turn: Callable[[C], str] | None = None


class IntroductionsApp(Shorthands, TokenUseCases, WebhookUseCases, BatchedReads):
    name = "Introductions"
    is_snapshotting_enabled = True
    snapshotting_intervals = {Introduction: SNAPSHOT_EVERY}  # noqa: RUF012
    # Commands find the aggregates they touch in memory and read only the events recorded
    # since (by any process), instead of a snapshot and up to a hundred events each time.
    env = {"AGGREGATE_CACHE_MAXSIZE": "4096", "AGGREGATE_CACHE_FASTFORWARD": "y"}  # noqa: RUF012

    # Seals personal fields (domain.personal); storage.bootstrap installs it. Without
    # one, fields are written plain and sealed ones read as erased.
    keyring: Keyring | None = None

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

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(SealedAsStored(self._open_sealed))

    def _open_sealed(self, sealed: Sealed) -> Any:
        return None if self.keyring is None else self.keyring.open(sealed)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        # A command saves one event: the saved aggregate is then at the snapshot's
        # version, so it is snapshotted as it is in memory, instead of the library's
        # way, which reads it back (its last snapshot and up to a hundred events) to
        # rebuild it. A save of several events falls back.
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

    # --- every command --------------------------------------------------------

    def handle(self, actor_id: str, command: Command[R], idempotency_key: str | None = None) -> R:
        """Runs a command as `actor_id`. With an idempotency key that this actor used
        within 24 hours for the same command, answers that first result and writes
        nothing. Otherwise, in the aggregate's turn: load, check the rule, save (the key
        with it); after a conflict, again against the fresh state, unless the command
        promised a version."""
        handler: Handler[Command[R], R] = HANDLERS[type(command)]
        if handler.admit is not None:
            command = handler.admit(self, actor_id, command)
        claim: Claim | None = None
        if idempotency_key is not None:
            claim = self._claim(
                actor_id, idempotency_key, command.operation, command.key_arguments()
            )
            if (answered := self._answered(claim)) is not None:
                return handler.rebuild(self, *answered)
        try:
            turn = self._aggregate_locks.turn(handler.turn(command)) if handler.turn else NO_TURN
            with turn:
                for attempt in range(MAX_ATTEMPTS):
                    with sealing(self.keyring):
                        decision = handler.decide(self, actor_id, command)  # load, then the rule
                    try:
                        position = (
                            self._save(*decision.aggregates, claim=claim)
                            if decision.aggregates
                            else self._position_now()
                        )
                    except ConcurrencyConflict:  # another writer saved first
                        if getattr(command, "expected_version", None) is not None:
                            raise
                        # A random, growing pause, so that racing writers do not collide again.
                        time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * 2**attempt))  # noqa: S311
                        continue
                    return decision.answer(position)
                raise busy()
        except (DomainError, KeyTaken):
            if (answered := self._answered_by_winner(claim)) is None:
                raise
            return handler.rebuild(self, *answered)

    # --- people ------------------------------------------------------------------

    def _register_person(self, actor_id: str, c: commands.RegisterPerson) -> Decision[PersonResult]:
        person = Person.register(
            id=uuid4(),
            display_name=c.display_name,
            organization=c.organization,
            offers=c.offers,
            needs=c.needs,
            actor_id=actor_id,
            at=self._now(),
        )
        return Decision((person,), partial(PersonResult, person))

    def _admit_profile(self, actor_id: str, c: commands.UpdateProfile) -> commands.UpdateProfile:
        """A person updates their own profile (no person_id, or their own); the admin
        anyone's, naming them. The command names its person canonically."""
        return replace(c, person_id=str(self._profile_owner(actor_id, c.person_id)))

    def _update_profile(self, actor_id: str, c: commands.UpdateProfile) -> Decision[PersonResult]:
        person = self._existing(Person, c.person_id or "", "personId", "person", "personId")
        changed = person.update_profile(
            display_name=c.display_name,
            organization=c.organization,
            offers=_listed(c.offers),
            needs=_listed(c.needs),
            actor_id=actor_id,
            at=self._now(),
        )
        # Nothing to change: nothing is saved, and the person is answered as they are.
        return Decision((person,) if changed else (), partial(PersonResult, person))

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

    def _admit_forget(self, actor_id: str, c: commands.ForgetPerson) -> commands.ForgetPerson:
        """The admin forgets anyone; a person only themself."""
        person_id = parse_id(c.person_id, "personId")
        if actor_id not in (ADMIN, str(person_id)):
            msg = "A person may ask only for themself to be forgotten."
            raise Forbidden(msg, field="personId")
        return replace(c, person_id=str(person_id))

    def _forget(self, actor_id: str, c: commands.ForgetPerson) -> Decision[PersonResult]:
        """PersonForgotten, whose recording destroys the person's keys in its transaction
        (storage.personal_keys); forgetting again records nothing."""
        person = self._existing(Person, c.person_id, "personId", "person", "personId")
        changed = person.forget(actor_id, self._now())

        def answer(position: int) -> PersonResult:
            forgotten = getattr(self.keyring, "forgotten", None)
            if forgotten is not None:
                forgotten(c.person_id)  # this process opens nothing under their keys now
            return PersonResult(person, position)

        return Decision((person,) if changed else (), answer)

    def get_person(self, person_id: str | UUID) -> Person:
        return self._existing(Person, person_id, "id", "person", None)

    # --- introductions -----------------------------------------------------------

    def _propose(self, actor_id: str, c: commands.Propose) -> Decision[CommandResult]:
        if actor_id == ADMIN:
            msg = "The admin is not a person: propose with the introducer's own token."
            raise Forbidden(msg)
        # The canonical ids: "ABC…" or "{abc…}" must not make another introducer or pair.
        introducer = self._known_person(actor_id, "introducerId")
        requester = self._known_person(c.requester_id, "requesterId")
        target = self._known_person(c.target_id, "targetId")
        introduction = Introduction.propose(
            id=uuid4(),
            introducer_id=str(introducer.id),
            requester_id=str(requester.id),
            target_id=str(target.id),
            context=c.context,
            guidelines=c.guidelines,
            at=self._now(),
        )
        index = self._claim_pair(introduction)  # a race for the pair fails the save
        return Decision((introduction, index), partial(CommandResult, introduction))

    def _consent(self, actor_id: str, c: commands.Consent) -> Decision[CommandResult]:
        introduction = self._introduction_to_change(actor_id, c)
        introduction.consent(actor_id, self._now())
        return Decision((introduction,), partial(CommandResult, introduction))

    def _decline(self, actor_id: str, c: commands.Decline) -> Decision[CommandResult]:
        introduction = self._introduction_to_change(actor_id, c)
        introduction.decline(actor_id, c.reason, self._now())
        return Decision((introduction,), partial(CommandResult, introduction))

    def _record_reply(self, actor_id: str, c: commands.RecordReply) -> Decision[CommandResult]:
        introduction = self._introduction_to_change(actor_id, c)
        introduction.record_reply(actor_id, c.message, self._now())
        return Decision((introduction,), partial(CommandResult, introduction))

    def _record_relationship_formed(
        self, actor_id: str, c: commands.RecordRelationshipFormed
    ) -> Decision[CommandResult]:
        introduction = self._introduction_to_change(actor_id, c)
        introduction.record_relationship_formed(actor_id, c.note, self._now())
        return Decision((introduction,), partial(CommandResult, introduction))

    def _burn(self, actor_id: str, c: commands.Burn) -> Decision[CommandResult]:
        introduction = self._introduction_to_change(actor_id, c)
        at = self._now()
        introduction.burn(actor_id, c.blamed_person_id, c.reason, c.cause, c.note, at)
        return Decision((introduction,), partial(CommandResult, introduction))

    def _expire(self, actor_id: str, c: commands.Expire) -> Decision[CommandResult]:
        introduction = self._introduction_to_change(actor_id, c)
        introduction.expire(self._now(), self.expire_after)
        return Decision((introduction,), partial(CommandResult, introduction))

    def _admit_burn(self, actor_id: str, c: commands.Burn) -> commands.Burn:
        blamed = str(parse_id(c.blamed_person_id, "blamedPersonId"))  # canonical, as parties are
        return replace(c, blamed_person_id=blamed)

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

    def _introduction_to_change(self, actor_id: str, c: IntroductionChange) -> Introduction:
        introduction = self._visible_introduction(c.introduction_id, actor_id)
        if c.expected_version is not None and introduction.version != c.expected_version:
            msg = (
                f"The introduction is at version {introduction.version}, not "
                f"{c.expected_version}: read it again and decide anew."
            )
            raise ConcurrencyConflict(msg)
        return introduction

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
        data=opened_data(event_data(fields)),  # opened now: readers may outlive the keyring
        chain_hash=fields.get("chain_hash", ""),
    )


def _introduction_turn(c: IntroductionChange) -> str:
    return canonical_id(c.introduction_id)


def _admin_only(action: str) -> Callable[[IntroductionsApp, str, C], C]:
    def admit(_app: IntroductionsApp, actor_id: str, command: C) -> C:
        require_admin(actor_id, action)
        return command

    return admit


IC = TypeVar("IC", bound=IntroductionChange)


def _change(
    decide: Callable[[IntroductionsApp, str, IC], Decision[CommandResult]],
    admit: Callable[[IntroductionsApp, str, IC], IC] | None = None,
) -> Handler[IC, CommandResult]:
    return Handler(decide, IntroductionsApp._introduction_result, admit, _introduction_turn)


# Who handles what: each command, the method that loads its aggregate and applies its
# rule (the aggregate's public method, which checks before its @event records).
HANDLERS: dict[type[Command[Any]], Handler[Any, Any]] = {
    commands.RegisterPerson: Handler(
        IntroductionsApp._register_person,
        IntroductionsApp._person_result,
        _admin_only("register people"),
    ),
    commands.UpdateProfile: Handler(
        IntroductionsApp._update_profile,
        IntroductionsApp._person_result,
        IntroductionsApp._admit_profile,
        lambda c: c.person_id or "",
    ),
    commands.ForgetPerson: Handler(
        IntroductionsApp._forget,
        IntroductionsApp._person_result,
        IntroductionsApp._admit_forget,
        lambda c: c.person_id,
    ),
    commands.IssueToken: Handler(
        IntroductionsApp._issue, IntroductionsApp._issued_before, _admin_only("issue tokens")
    ),
    commands.RevokeToken: Handler(
        IntroductionsApp._revoke, IntroductionsApp._revoked_before, IntroductionsApp._admit_revoke
    ),
    commands.Propose: Handler(IntroductionsApp._propose, IntroductionsApp._introduction_result),
    commands.Consent: _change(IntroductionsApp._consent),
    commands.Decline: _change(IntroductionsApp._decline),
    commands.RecordReply: _change(IntroductionsApp._record_reply),
    commands.RecordRelationshipFormed: _change(IntroductionsApp._record_relationship_formed),
    commands.Burn: _change(IntroductionsApp._burn, IntroductionsApp._admit_burn),
    commands.Expire: _change(IntroductionsApp._expire),
    commands.RegisterWebhook: Handler(
        IntroductionsApp._register,
        IntroductionsApp._registration,
        IntroductionsApp._admit_registration,
    ),
    commands.DeactivateWebhook: Handler(
        IntroductionsApp._deactivate,
        IntroductionsApp._webhook_result,
        IntroductionsApp._admit_deactivation,
    ),
    commands.ReactivateWebhook: Handler(
        IntroductionsApp._reactivate,
        IntroductionsApp._webhook_result,
        _admin_only("reactivate webhooks"),
    ),
    commands.DeactivateGoneWebhook: Handler(
        IntroductionsApp._deactivate_gone, IntroductionsApp._webhook_result
    ),
    commands.RotateWebhookSecret: Handler(
        IntroductionsApp._rotate,
        IntroductionsApp._registration,
        _admin_only("rotate the secret of webhooks"),
    ),
}


def _listed(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else list(values)
