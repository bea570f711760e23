"""The use cases. Every command takes the actor's id and returns the new state with the
log position of its last event, which read models can be asked to wait for."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import RecordConflictError
from eventsourcing.utils import EnvType

from domain.chain import ChainedAggregate, event_data, event_id
from domain.errors import BadInput, ConcurrencyConflict, Forbidden, NotFound
from domain.introduction import ADMIN, BurnCause, Introduction
from domain.pair_index import PairIndex, pair_index_id
from domain.person import Person

Clock = Callable[[], datetime]
MAX_ATTEMPTS = 5
RETRY_PAUSE_SECONDS = 0.01
DEFAULT_EXPIRE_AFTER = timedelta(days=14)
SNAPSHOT_EVERY = 100

A = TypeVar("A", bound=ChainedAggregate)


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


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


class IntroductionsApp(Application[UUID]):
    name = "Introductions"
    is_snapshotting_enabled = True
    snapshotting_intervals = {Introduction: SNAPSHOT_EVERY}  # noqa: RUF012

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

    # --- people ------------------------------------------------------------------

    def register_person(
        self,
        actor_id: str,
        display_name: str,
        organization: str | None = None,
        offers: Sequence[str] | None = None,
        needs: Sequence[str] | None = None,
    ) -> PersonResult:
        if actor_id != ADMIN:
            msg = "Only the admin may register people."
            raise Forbidden(msg)
        person = Person.register(
            id=uuid4(),
            display_name=display_name,
            organization=organization,
            offers=list(offers) if offers is not None else None,
            needs=list(needs) if needs is not None else None,
            actor_id=actor_id,
            at=self._now(),
        )
        return PersonResult(person, self._save(person))

    def get_person(self, person_id: str | UUID) -> Person:
        person = self._get(Person, person_id, "id")
        if person is None:
            msg = f"No person has the id {person_id}."
            raise NotFound(msg)
        return person

    def get_persons(self, person_ids: Sequence[str | UUID]) -> dict[str, Person]:
        """Known persons among the ids, by id string (for batched loading)."""
        found = {}
        for pid in dict.fromkeys(str(p) for p in person_ids):
            person = self._get(Person, pid, "id")
            if person is not None:
                found[pid] = person
        return found

    # --- introductions -----------------------------------------------------------

    def propose(
        self,
        actor_id: str,
        requester_id: str,
        target_id: str,
        context: str,
        guidelines: str | None = None,
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
        raise _busy()

    def consent(
        self, actor_id: str, introduction_id: str | UUID, expected_version: int | None = None
    ) -> CommandResult:
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.consent(actor_id, self._now()),
        )

    def decline(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.decline(actor_id, reason, self._now()),
        )

    def record_reply(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        message: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.record_reply(actor_id, message, self._now()),
        )

    def record_relationship_formed(
        self,
        actor_id: str,
        introduction_id: str | UUID,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.record_relationship_formed(actor_id, note, self._now()),
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
    ) -> CommandResult:
        blamed = str(parse_id(blamed_person_id, "blamedPersonId"))  # canonical, as parties are
        return self._change(
            actor_id,
            introduction_id,
            expected_version,
            lambda i: i.burn(actor_id, blamed, reason, cause, note, self._now()),
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

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            msg = "the clock must return an aware datetime"
            raise ValueError(msg)
        return now.astimezone(UTC)

    def _save(self, *aggregates: ChainedAggregate) -> int:
        try:
            recordings = self.save(*aggregates)
        except RecordConflictError:
            msg = "Someone else changed this at the same moment; read it again and retry."
            raise ConcurrencyConflict(msg) from None
        return recordings[-1].notification.id

    def _get(self, cls: type[A], raw_id: str | UUID, field: str) -> A | None:
        aggregate_id = parse_id(raw_id, field)
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def _known_person(self, person_id: str, field: str) -> Person:
        person = self._get(Person, person_id, field)
        if person is None:
            msg = f"No person has the id {person_id}: register them first."
            raise BadInput(msg, field=field)
        return person

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
            index = self.repository.get(index_id)
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
        raise _busy()

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


def parse_id(raw_id: str | UUID, field: str) -> UUID:
    if isinstance(raw_id, UUID):
        return raw_id
    try:
        return UUID(str(raw_id))
    except ValueError:
        msg = f"{field} {raw_id!r} is not a valid id (a UUID such as 3f2b…)."
        raise BadInput(msg, field=field) from None


def _busy() -> ConcurrencyConflict:
    msg = "This introduction is changing too fast to apply your command; retry in a moment."
    return ConcurrencyConflict(msg)


# --- access tokens and batched reads (appended for the GraphQL API) -------------------
# Module functions attached to IntroductionsApp below, so that this block is one
# append and does not touch the class body other engineers edit.


def issue_token(app: IntroductionsApp, actor_id: str, person_id: str) -> tuple[str, int]:
    """A new token for a person, returned once; only its hash is stored."""
    from domain.access import AccessToken, access_token_id, new_token, token_hash

    if actor_id != ADMIN:
        msg = "Only the admin may issue tokens."
        raise Forbidden(msg)
    person = app._known_person(person_id, "personId")
    token = new_token()
    digest = token_hash(token)
    access = AccessToken(
        id=access_token_id(digest),
        person_id=str(person.id),
        token_hash=digest,
        actor_id=actor_id,
        timestamp=app._now(),
    )
    return token, app._save(access)


def authenticate(app: IntroductionsApp, token: str) -> str | None:
    """The person id a token was issued to, or None: one get by id, no scan."""
    from domain.access import AccessToken, access_token_id, token_hash

    digest = token_hash(token)
    try:
        access: object = app.repository.get(access_token_id(digest))
    except AggregateNotFoundError:
        return None
    if not isinstance(access, AccessToken) or not access.matches(digest):
        return None
    return access.person_id


def get_persons_batched(app: IntroductionsApp, person_ids: Sequence[str]) -> dict[str, Person]:
    """Like get_persons, in one storage round trip; unknown or malformed ids are absent."""
    found = _aggregates_by_id(app, person_ids)
    return {k: v for k, v in found.items() if isinstance(v, Person)}


def get_introductions_batched(
    app: IntroductionsApp, introduction_ids: Sequence[str], actor_id: str
) -> dict[str, Introduction]:
    """The introductions among the ids the actor may see, in one storage round trip."""
    found = _aggregates_by_id(app, introduction_ids)
    return {
        k: v
        for k, v in found.items()
        if isinstance(v, Introduction) and v.is_visible_to(actor_id)
    }


def _aggregates_by_id(app: IntroductionsApp, raw_ids: Sequence[str]) -> dict[str, Any]:
    ids: dict[str, UUID] = {}
    for raw in raw_ids:
        try:
            ids[str(raw)] = UUID(str(raw))
        except ValueError:
            continue
    if not ids:
        return {}
    stored = _select_events_of_many(app, list(dict.fromkeys(ids.values())))
    aggregates: dict[UUID, Any] = {}
    for s in stored:
        domain_event: Any = app.mapper.to_domain_event(s)
        aggregate_id = UUID(str(domain_event.originator_id))
        aggregates[aggregate_id] = domain_event.mutate(aggregates.get(aggregate_id))
    return {raw: aggregates[u] for raw, u in ids.items() if u in aggregates}


def _select_events_of_many(app: IntroductionsApp, ids: list[UUID]) -> list[Any]:
    """Every stored event of the given aggregates in one query, in version order."""
    from eventsourcing.persistence import StoredEvent

    recorder: Any = app.recorder
    table = getattr(recorder, "events_table_name", None)
    module = type(recorder).__module__
    if table and module == "eventsourcing.sqlite":
        marks = ",".join("?" * len(ids))
        keys = [u.hex if recorder.datastore.originator_id_type == "uuid" else str(u) for u in ids]
        statement = (
            f"SELECT * FROM {table} WHERE originator_id IN ({marks}) "  # noqa: S608
            "ORDER BY originator_id, originator_version"
        )
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(statement, keys)
            rows = c.fetchall()
        return [
            StoredEvent(
                originator_id=recorder.convert_originator_id(r["originator_id"]),
                originator_version=r["originator_version"],
                topic=r["topic"],
                state=r["state"],
            )
            for r in rows
        ]
    if table and module == "eventsourcing.postgres":
        from psycopg.sql import SQL, Identifier

        pg_statement = SQL(
            "SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) "
            "ORDER BY originator_id, originator_version"
        ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(table))
        keys_pg: list[Any] = (
            ids if recorder.datastore.originator_id_type == "uuid" else [str(u) for u in ids]
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(pg_statement, [keys_pg])
            rows = curs.fetchall()
        return [
            StoredEvent(
                originator_id=r["originator_id"],
                originator_version=r["originator_version"],
                topic=r["topic"],
                state=bytes(r["state"]),
            )
            for r in rows
        ]
    # Any other recorder (e.g. in-memory): one query per aggregate.
    return [s for u in ids for s in recorder.select_events(u)]


IntroductionsApp.issue_token = issue_token  # type: ignore[attr-defined]
IntroductionsApp.authenticate = authenticate  # type: ignore[attr-defined]
IntroductionsApp.get_persons_batched = get_persons_batched  # type: ignore[attr-defined]
IntroductionsApp.get_introductions_batched = get_introductions_batched  # type: ignore[attr-defined]


# --- webhook endpoints (issue 6; appended) -------------------------------------------
# Endpoints are aggregates in the same log; the dispatcher (package webhooks) follows the
# log and delivers only Introduction events. Admin only: webhooks are the admin's alone.

from domain.webhook import (  # noqa: E402
    WEBHOOK_DIRECTORY_ID,
    Resolver,
    WebhookDirectory,
    WebhookEndpoint,
    new_secret,
    private_allowed,
    resolve,
    validate_description,
    validate_event_types,
    validate_url,
)


@dataclass(frozen=True)
class WebhookResult:
    endpoint: WebhookEndpoint
    position: int


@dataclass(frozen=True)
class WebhookRegistration:
    endpoint: WebhookEndpoint
    secret: str  # shown once: on registration and on rotation
    position: int


def _require_admin(actor_id: str | None, action: str) -> None:
    if actor_id != ADMIN:
        msg = f"Only the admin may {action} webhooks."
        raise Forbidden(msg)


def register_webhook(
    app: IntroductionsApp,
    actor_id: str,
    url: str,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    *,
    resolver: Resolver = resolve,
) -> WebhookRegistration:
    """Returns the endpoint, its secret (shown once) and the position of its registration:
    it receives the Introduction events recorded after that position."""
    _require_admin(actor_id, "register")
    url = validate_url(url, allow_private=private_allowed(), resolver=resolver)
    types = validate_event_types(event_types)
    description = validate_description(description)
    secret = new_secret()
    for _ in range(MAX_ATTEMPTS):
        at = app._now()
        endpoint = WebhookEndpoint(
            id=uuid4(),
            url=url,
            event_types=types,
            description=description,
            secret=secret,
            actor_id=actor_id,
            timestamp=at,
        )
        directory = app._get(WebhookDirectory, WEBHOOK_DIRECTORY_ID, "id") or WebhookDirectory(
            id=WEBHOOK_DIRECTORY_ID, actor_id=actor_id, timestamp=at
        )
        directory.listed(webhook_id=str(endpoint.id), actor_id=actor_id, timestamp=at)
        try:
            position = app._save(endpoint, directory)
        except ConcurrencyConflict:
            continue  # another registration listed itself first; list after it
        return WebhookRegistration(endpoint, secret, position)
    raise _busy()


def get_webhook(app: IntroductionsApp, actor_id: str, webhook_id: str | UUID) -> WebhookEndpoint:
    _require_admin(actor_id, "read")
    endpoint = app._get(WebhookEndpoint, webhook_id, "id")
    if endpoint is None:
        msg = f"No webhook has the id {webhook_id}."
        raise NotFound(msg)
    return endpoint


def list_webhooks(app: IntroductionsApp, actor_id: str) -> list[WebhookEndpoint]:
    _require_admin(actor_id, "list")
    directory = app._get(WebhookDirectory, WEBHOOK_DIRECTORY_ID, "id")
    if directory is None:
        return []
    found = (app._get(WebhookEndpoint, i, "id") for i in directory.webhook_ids)
    return [e for e in found if e is not None]


def _change_webhook(
    app: IntroductionsApp,
    webhook_id: str | UUID,
    command: Callable[[WebhookEndpoint], None],
) -> WebhookResult:
    for _ in range(MAX_ATTEMPTS):
        endpoint = app._get(WebhookEndpoint, webhook_id, "id")
        if endpoint is None:
            msg = f"No webhook has the id {webhook_id}."
            raise NotFound(msg)
        command(endpoint)
        try:
            return WebhookResult(endpoint, app._save(endpoint))
        except ConcurrencyConflict:
            continue
    raise _busy()


def deactivate_webhook(
    app: IntroductionsApp, actor_id: str, webhook_id: str | UUID, reason: str | None = None
) -> WebhookResult:
    _require_admin(actor_id, "deactivate")
    reason = validate_description(reason)
    return _change_webhook(app, webhook_id, lambda e: e.deactivate(reason, actor_id, app._now()))


def deactivate_gone_webhook(
    app: IntroductionsApp, webhook_id: str | UUID, reason: str
) -> WebhookResult:
    """The dispatcher's own deactivation (410 Gone); the actor is the system (None)."""
    return _change_webhook(app, webhook_id, lambda e: e.deactivate(reason, None, app._now()))


def reactivate_webhook(
    app: IntroductionsApp, actor_id: str, webhook_id: str | UUID
) -> WebhookResult:
    _require_admin(actor_id, "reactivate")
    return _change_webhook(app, webhook_id, lambda e: e.reactivate(actor_id, app._now()))


def rotate_webhook_secret(
    app: IntroductionsApp, actor_id: str, webhook_id: str | UUID
) -> WebhookRegistration:
    """A new secret, shown once; the old one still signs for 24 hours."""
    _require_admin(actor_id, "rotate the secret of")
    secret = new_secret()
    result = _change_webhook(
        app, webhook_id, lambda e: e.rotate_secret(secret, actor_id, app._now())
    )
    return WebhookRegistration(result.endpoint, secret, result.position)


IntroductionsApp.register_webhook = register_webhook  # type: ignore[attr-defined]
IntroductionsApp.get_webhook = get_webhook  # type: ignore[attr-defined]
IntroductionsApp.list_webhooks = list_webhooks  # type: ignore[attr-defined]
IntroductionsApp.deactivate_webhook = deactivate_webhook  # type: ignore[attr-defined]
IntroductionsApp.reactivate_webhook = reactivate_webhook  # type: ignore[attr-defined]
IntroductionsApp.rotate_webhook_secret = rotate_webhook_secret  # type: ignore[attr-defined]
