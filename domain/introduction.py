"""The Introduction aggregate: a connector introduces a requester to a target.

Public methods check the rules of docs/domain.md and raise a typed error, writing nothing;
only then do they call a private `@event` method, whose body just applies the change
(it runs again on every replay, so it must not re-check rules that may change)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event
from eventsourcing.utils import get_topic

from domain import bounds
from domain.chain import ChainedAggregate
from domain.errors import BadInput, Forbidden, InvalidTransition

ADMIN = "admin"  # the operator's actor id; persons are UUID strings, the system is None


class Status(StrEnum):
    PROPOSED = "PROPOSED"
    CONSENTED = "CONSENTED"
    REPLIED = "REPLIED"
    RELATIONSHIP_FORMED = "RELATIONSHIP_FORMED"
    BURNED = "BURNED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"


FINAL = frozenset({Status.RELATIONSHIP_FORMED, Status.BURNED, Status.DECLINED, Status.EXPIRED})


class BurnReason(StrEnum):
    TRANSACTIONAL_ASK = "TRANSACTIONAL_ASK"
    NO_RESEARCH = "NO_RESEARCH"
    CANNED_MESSAGE = "CANNED_MESSAGE"
    UNRESPONSIVE = "UNRESPONSIVE"
    MISUSED_CONTACT = "MISUSED_CONTACT"
    OTHER = "OTHER"


class BurnCause(StrEnum):
    SKILL = "SKILL"
    CARING = "CARING"
    UNKNOWN = "UNKNOWN"


class Introduction(ChainedAggregate):
    class IntroductionProposed(ChainedAggregate.Created):
        class_version = 1
        introducer_id: str
        requester_id: str
        target_id: str
        context: str
        guidelines: str | None
        # Free text is sealed under the introduction's key, held by all three (domain.personal).
        personal_fields = ("context", "guidelines")

        @staticmethod
        def key_holders(_key_id: str, fields: dict[str, str]) -> list[str]:
            return [fields["introducer_id"], fields["requester_id"], fields["target_id"]]

    class ConsentGiven(ChainedAggregate.Event):
        class_version = 1

    class ConsentDeclined(ChainedAggregate.Event):
        class_version = 1
        reason: str | None
        personal_fields = ("reason",)

    class ReplyRecorded(ChainedAggregate.Event):
        # v1 had no message: replies were only counted.
        class_version = 2
        message: str | None
        personal_fields = ("message",)

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["message"] = None

    class RelationshipFormed(ChainedAggregate.Event):
        class_version = 1
        note: str | None
        personal_fields = ("note",)

    class IntroductionBurned(ChainedAggregate.Event):
        class_version = 1
        blamed_person_id: str
        reason: str
        cause: str
        note: str | None
        personal_fields = ("note",)

    class IntroductionExpired(ChainedAggregate.Event):
        class_version = 1
        consented_at: datetime
        expire_after_days: float

    @event(IntroductionProposed)
    def __init__(
        self,
        id: UUID,
        introducer_id: str,
        requester_id: str,
        target_id: str,
        context: str,
        guidelines: str | None,
        actor_id: str | None,
        timestamp: datetime,
    ) -> None:
        self.introducer_id = introducer_id
        self.requester_id = requester_id
        self.target_id = target_id
        self.context = context
        self.guidelines = guidelines
        self.status_value = Status.PROPOSED.value
        self.consented_by: list[str] = []
        self.consented_at: datetime | None = None
        self.replied_by: list[str] = []
        self.replies = 0
        self.outcome: dict[str, str | None] = {}

    # --- reading -------------------------------------------------------------

    @property
    def status(self) -> Status:
        return Status(self.status_value)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def parties(self) -> tuple[str, str]:
        return (self.requester_id, self.target_id)

    def is_visible_to(self, actor_id: str | None) -> bool:
        return actor_id == ADMIN or actor_id == self.introducer_id or actor_id in self.parties

    # --- commands --------------------------------------------------------------

    @classmethod
    def propose(
        cls,
        *,
        id: UUID,
        introducer_id: str,
        requester_id: str,
        target_id: str,
        context: str,
        guidelines: str | None,
        at: datetime,
    ) -> Introduction:
        if len({introducer_id, requester_id, target_id}) < 3:
            msg = "The introducer, the requester and the target must be three different people."
            raise BadInput(msg, field="targetId" if requester_id == target_id else "requesterId")
        return cls(
            id=id,
            introducer_id=introducer_id,
            requester_id=requester_id,
            target_id=target_id,
            context=bounds.required_text(context, "context", bounds.CONTEXT_MAX),
            guidelines=bounds.optional_text(guidelines, "guidelines", bounds.GUIDELINES_MAX),
            actor_id=introducer_id,
            timestamp=at,
        )

    def consent(self, actor_id: str, at: datetime) -> None:
        self._require_party(actor_id, "consent to")
        self._require_status("consent to", Status.PROPOSED)
        if actor_id in self.consented_by:
            msg = "You have already consented to this introduction; it waits for the other party."
            raise InvalidTransition(msg)
        self._consent_given(actor_id=actor_id, timestamp=at)

    @event(ConsentGiven)
    def _consent_given(self, actor_id: str, timestamp: datetime) -> None:
        self.consented_by.append(actor_id)
        if len(self.consented_by) == 2:
            self.status_value = Status.CONSENTED.value
            self.consented_at = timestamp

    def decline(self, actor_id: str, reason: str | None, at: datetime) -> None:
        self._require_party(actor_id, "decline")
        self._require_status("decline", Status.PROPOSED)
        reason = bounds.optional_text(reason, "reason", bounds.NOTE_MAX)
        self._consent_declined(reason=reason, actor_id=actor_id, timestamp=at)

    @event(ConsentDeclined)
    def _consent_declined(self, reason: str | None, actor_id: str, timestamp: datetime) -> None:
        self.status_value = Status.DECLINED.value
        self.outcome = {"declined_by": actor_id, "reason": reason}

    def record_reply(self, actor_id: str, message: str | None, at: datetime) -> None:
        self._require_party(actor_id, "reply to")
        self._require_status("reply to", Status.CONSENTED, Status.REPLIED)
        message = bounds.optional_text(message, "message", bounds.MESSAGE_MAX)
        self._reply_recorded(message=message, actor_id=actor_id, timestamp=at)

    @event(ReplyRecorded)
    def _reply_recorded(self, message: str | None, actor_id: str, timestamp: datetime) -> None:
        self.status_value = Status.REPLIED.value
        self.replies += 1
        if actor_id not in self.replied_by:
            self.replied_by.append(actor_id)

    def record_relationship_formed(self, actor_id: str, note: str | None, at: datetime) -> None:
        self._require_party_or_introducer(actor_id, "record a relationship for")
        self._require_status("record a relationship for", Status.REPLIED)
        note = bounds.optional_text(note, "note", bounds.NOTE_MAX)
        self._relationship_formed(note=note, actor_id=actor_id, timestamp=at)

    @event(RelationshipFormed)
    def _relationship_formed(self, note: str | None, actor_id: str, timestamp: datetime) -> None:
        self.status_value = Status.RELATIONSHIP_FORMED.value
        self.outcome = {"note": note}

    def burn(
        self,
        actor_id: str,
        blamed_person_id: str,
        reason: str,
        cause: str,
        note: str | None,
        at: datetime,
    ) -> None:
        self._require_party_or_introducer(actor_id, "burn")
        self._require_status("burn", Status.CONSENTED, Status.REPLIED)
        if blamed_person_id not in self.parties:
            msg = "The blamed person must be one of the two parties of the introduction."
            raise BadInput(msg, field="blamedPersonId")
        self._burned(
            blamed_person_id=blamed_person_id,
            reason=_enum_value(BurnReason, reason, "reason"),
            cause=_enum_value(BurnCause, cause, "cause"),
            note=bounds.optional_text(note, "note", bounds.NOTE_MAX),
            actor_id=actor_id,
            timestamp=at,
        )

    @event(IntroductionBurned)
    def _burned(
        self,
        blamed_person_id: str,
        reason: str,
        cause: str,
        note: str | None,
        actor_id: str,
        timestamp: datetime,
    ) -> None:
        self.status_value = Status.BURNED.value
        self.outcome = {
            "blamed_person_id": blamed_person_id,
            "reason": reason,
            "cause": cause,
            "note": note,
        }

    def expire(self, at: datetime, expire_after: timedelta) -> None:
        self._require_status("expire", Status.CONSENTED)
        assert self.consented_at is not None
        due = self.consented_at + expire_after
        if at < due:
            msg = f"This introduction is not stale yet: it may expire from {due.isoformat()}."
            raise InvalidTransition(msg)
        self._expired(
            consented_at=self.consented_at,
            expire_after_days=expire_after / timedelta(days=1),
            actor_id=None,
            timestamp=at,
        )

    @event(IntroductionExpired)
    def _expired(
        self,
        consented_at: datetime,
        expire_after_days: float,
        actor_id: None,
        timestamp: datetime,
    ) -> None:
        self.status_value = Status.EXPIRED.value

    # --- rules -----------------------------------------------------------------

    def _require_status(self, action: str, *allowed: Status) -> None:
        if self.status not in allowed:
            if self.is_final:
                msg = (
                    f"This introduction is {self.status.value}, which is final: "
                    "nothing more can happen to it."
                )
            else:
                wanted = " or ".join(s.value for s in allowed)
                msg = (
                    f"You cannot {action} an introduction that is {self.status.value}; "
                    f"it must be {wanted}."
                )
            raise InvalidTransition(msg)

    def _require_party(self, actor_id: str, action: str) -> None:
        if actor_id not in self.parties:
            msg = f"Only the two introduced parties may {action} this introduction."
            raise Forbidden(msg)

    def _require_party_or_introducer(self, actor_id: str, action: str) -> None:
        if actor_id not in self.parties and actor_id != self.introducer_id:
            msg = f"Only the introducer or one of the two parties may {action} this introduction."
            raise Forbidden(msg)


# Every event an introduction records, declared once: what the views fold, webhooks
# deliver and subscriptions stream, by type name and by the topic stored with it.
INTRODUCTION_EVENTS: tuple[type[ChainedAggregate.Event], ...] = (
    Introduction.IntroductionProposed,
    Introduction.ConsentGiven,
    Introduction.ConsentDeclined,
    Introduction.ReplyRecorded,
    Introduction.RelationshipFormed,
    Introduction.IntroductionBurned,
    Introduction.IntroductionExpired,
)
INTRODUCTION_EVENT_TYPES = tuple(e.__name__ for e in INTRODUCTION_EVENTS)
INTRODUCTION_TOPICS = {get_topic(e): e.__name__ for e in INTRODUCTION_EVENTS}


def _enum_value(enum: type[StrEnum], value: str, field: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        msg = f"{field} must be one of {allowed}; got {value!r}."
        raise BadInput(msg, field=field) from None
