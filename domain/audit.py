"""Tamper evidence: recompute every aggregate's hash chain from the stored events alone,
and take or check a checkpoint of the whole log.

Events are read straight from the recorder and decoded with the application's mapper
(cipher, compressor, transcoder) but NOT upcast: the chain hash was computed over the
event as it was written, so it must be recomputed over the shape as stored.

Checkpoint digest, "ckpt1-<position>-<sha256 hex>": the position is the last log
position (notification id) the checkpoint covers; the hash is sha256 over the canonical
JSON of ["introductions-checkpoint/1", position, [[aggregate id, version, head hash], ...]]
with one triple per aggregate that had events at or before that position, sorted by
aggregate id. Verify reads the log, takes the heads as they stood at that position and
recomputes the same hash: an event removed from the end of any chain (or a whole aggregate
removed) changes a head, and a log cut short ends before the position. Events recorded
after the checkpoint do not change it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper, StoredEvent

from domain.chain import GENESIS, canonical_json, chain_digest, event_data

BATCH_SIZE = 1000
CHECKPOINT_PREFIX = "ckpt1"
CHECKPOINT_LABEL = "introductions-checkpoint/1"
REQUIRED_FIELDS = ("timestamp", "actor_id", "chain_hash")

Progress = Callable[[int], None]  # called with how many events (or aggregates) were just read


@dataclass(frozen=True)
class Finding:
    """One stored event that breaks its chain (or, with no aggregate, the checkpoint)."""

    aggregate_id: str | None
    version: int | None
    position: int | None  # log position (notification id), when read from the log
    problem: str


@dataclass
class AggregateChain:
    next_version: int = 1
    head: str = GENESIS
    broken: bool = False
    # The first event seen beyond a missing version: (version, position). If the missing
    # one turns up later the events were reordered; if it never does it was deleted.
    ahead: tuple[int, int | None] | None = None


@dataclass
class VerifyReport:
    aggregates: int = 0
    events: int = 0
    last_position: int | None = None
    findings: list[Finding] = field(default_factory=list)
    aggregate_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_finding(self) -> Finding | None:
        def order(f: Finding) -> tuple[int, int]:
            return (f.position if f.position is not None else -1, f.version or 0)

        return min(self.findings, key=order) if self.findings else None


class ChainVerifier:
    """Checks events fed in log order (or one aggregate's events in version order)."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        self.chains: dict[str, AggregateChain] = {}
        self._keys: dict[UUID | str, str] = {}  # stored originator id -> str(UUID)
        self.report = VerifyReport()

    def feed(self, stored: StoredEvent, position: int | None = None) -> None:
        self.report.events += 1
        if position is not None:
            self.report.last_position = position
        aggregate_id = self._keys.get(stored.originator_id)
        if aggregate_id is None:  # parsing a UUID per event costs a tenth of verify
            aggregate_id = self._keys[stored.originator_id] = _aggregate_key(stored.originator_id)
        chain = self.chains.get(aggregate_id)
        if chain is None:
            chain = self.chains[aggregate_id] = AggregateChain()
        if chain.broken:
            return  # the first finding of a chain says it; the rest would only echo it
        version = stored.originator_version
        if version != chain.next_version:
            self._out_of_sequence(aggregate_id, chain, version, position)
            return
        if chain.ahead is not None:
            later_version, later_position = chain.ahead
            after = f"after version {later_version}{_at(later_position)}"
            self._reordered(aggregate_id, chain, version, position, after)
            return
        problem, head = self._check(aggregate_id, stored, chain.head)
        if problem is not None:
            self._fail(chain, Finding(aggregate_id, version, position, problem))
            return
        chain.head = head
        chain.next_version += 1

    def finish(self) -> VerifyReport:
        for aggregate_id, chain in self.chains.items():
            if chain.ahead is not None and not chain.broken:
                later_version, later_position = chain.ahead
                missing = _range_text(chain.next_version, later_version - 1)
                jump = (
                    f"the chain starts at version {later_version}"
                    if chain.next_version == 1
                    else f"the chain jumps from version {chain.next_version - 1} to {later_version}"
                )
                deleted = (
                    "an event was" if later_version - chain.next_version == 1 else "events were"
                )
                self._fail(
                    chain,
                    Finding(
                        aggregate_id,
                        later_version,
                        later_position,
                        f"{missing} missing before it: {jump} ({deleted} deleted)",
                    ),
                )
        self.report.aggregates = len(self.chains)
        self.report.aggregate_ids = list(self.chains)
        return self.report

    def heads(self) -> list[list[Any]]:
        """[aggregate id, version, head hash] of every chain so far, sorted by id."""
        return [
            [aggregate_id, chain.next_version - 1, chain.head]
            for aggregate_id, chain in sorted(self.chains.items())
        ]

    def _out_of_sequence(
        self, aggregate_id: str, chain: AggregateChain, version: int, position: int | None
    ) -> None:
        if version > chain.next_version:
            if chain.ahead is None:
                chain.ahead = (version, position)
            return
        after = f"again after version {chain.next_version - 1}"
        self._reordered(aggregate_id, chain, version, position, after)

    def _reordered(
        self,
        aggregate_id: str,
        chain: AggregateChain,
        version: int,
        position: int | None,
        after: str,
    ) -> None:
        problem = (
            f"version {version} was recorded {after}: events were reordered (versions swapped)"
        )
        self._fail(chain, Finding(aggregate_id, version, position, problem))

    def _check(
        self, aggregate_id: str, stored: StoredEvent, previous: str
    ) -> tuple[str | None, str]:
        """(what is wrong or None, the event's hash)."""
        try:
            state = decode_as_stored(self.mapper, stored.state)
        except Exception as e:  # any decoding failure is a finding, not a crash
            return f"its stored state cannot be decoded ({type(e).__name__}: {e})", ""
        if not isinstance(state, dict):
            return "its stored state is not an object", ""
        missing = [name for name in REQUIRED_FIELDS if name not in state]
        if missing:
            return f"its stored state lacks {', '.join(missing)}", ""
        stored_hash = state["chain_hash"]
        try:
            recomputed = chain_digest(
                previous,
                aggregate_id,
                event_type_name(stored.topic),
                stored.originator_version,
                state["timestamp"],
                state["actor_id"],
                event_data(state),
            )
        except (TypeError, ValueError) as e:
            return f"its stored state cannot be hashed ({e})", ""
        if recomputed != stored_hash:
            return (
                f"its hash does not match its contents or its predecessor: stored "
                f"{str(stored_hash)[:12]}…, recomputed {recomputed[:12]}…",
                "",
            )
        return None, recomputed

    def _fail(self, chain: AggregateChain, finding: Finding) -> None:
        chain.broken = True
        self.report.findings.append(finding)


def decode_as_stored(mapper: Mapper[Any], state: bytes) -> Any:
    """The event's fields as written: decrypted, decompressed, decoded, not upcast."""
    if mapper.cipher is not None:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor is not None:
        state = mapper.compressor.decompress(state)
    return mapper.transcoder.decode(state)


def event_type_name(topic: str) -> str:
    """The class name the hash was computed with, read from the stored topic:
    domain.introduction:Introduction.ConsentGiven -> ConsentGiven."""
    return topic.rpartition(":")[2].rpartition(".")[2]


# --- reading the log ---------------------------------------------------------------


def log_notifications(
    app: Application[Any], stop: int | None, batch_size: int = BATCH_SIZE
) -> Iterator[list[Any]]:
    """The whole log up to `stop`, in batches, in position order."""
    start = None
    while True:
        batch = list(
            app.recorder.select_notifications(
                start, batch_size, stop=stop, inclusive_of_start=start is None
            )
        )
        if not batch:
            return
        yield batch
        if len(batch) < batch_size:
            return
        start = batch[-1].id


def verify_log(
    app: Application[Any],
    *,
    checkpoint: str | None = None,
    batch_size: int = BATCH_SIZE,
    on_progress: Progress | None = None,
) -> VerifyReport:
    """Verifies every chain in the log; with a checkpoint, also that the log still
    holds everything the checkpoint covered."""
    expected = parse_checkpoint(checkpoint) if checkpoint is not None else None
    verifier = ChainVerifier(app.mapper)
    checked_at: str | None = None  # hash of the heads as the stream passed the position
    stop = app.recorder.max_notification_id()
    for batch in log_notifications(app, stop=stop, batch_size=batch_size):
        for notification in batch:
            if expected is not None and checked_at is None and notification.id > expected[0]:
                checked_at = heads_hash(expected[0], verifier.heads())
            verifier.feed(notification, notification.id)
        if on_progress is not None:
            on_progress(len(batch))
    if expected is not None and checked_at is None:
        checked_at = heads_hash(expected[0], verifier.heads())
    report = verifier.finish()
    if expected is not None and checked_at != expected[1]:
        report.findings.append(_checkpoint_finding(expected[0], report.last_position))
    return report


def verify_aggregate(
    app: Application[Any],
    aggregate_id: UUID,
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Progress | None = None,
) -> VerifyReport:
    """Verifies one aggregate's chain, read by version (no log positions)."""
    verifier = ChainVerifier(app.mapper)
    for batch in _aggregate_batches(app, aggregate_id, batch_size):
        for stored in batch:
            verifier.feed(stored)
        if on_progress is not None:
            on_progress(len(batch))
    return verifier.finish()


def _aggregate_batches(
    app: Application[Any], aggregate_id: UUID, batch_size: int
) -> Iterable[list[StoredEvent]]:
    after = None
    while True:
        batch = list(app.recorder.select_events(aggregate_id, gt=after, limit=batch_size))
        if not batch:
            return
        yield batch
        after = batch[-1].originator_version


def last_version(app: Application[Any], aggregate_id: UUID) -> int:
    last = app.recorder.select_events(aggregate_id, desc=True, limit=1)
    return last[0].originator_version if last else 0


# --- checkpoints -------------------------------------------------------------------


def take_checkpoint(
    app: Application[Any], *, on_progress: Progress | None = None
) -> tuple[str | None, VerifyReport]:
    """Verifies the log and returns the digest of its heads (None if it is broken:
    a checkpoint must not vouch for a tampered log)."""
    verifier = ChainVerifier(app.mapper)
    for batch in log_notifications(app, stop=app.recorder.max_notification_id()):
        for notification in batch:
            verifier.feed(notification, notification.id)
        if on_progress is not None:
            on_progress(len(batch))
    heads = verifier.heads()
    report = verifier.finish()
    if not report.ok:
        return None, report
    return checkpoint_digest(report.last_position or 0, heads), report


def checkpoint_digest(position: int, heads: list[list[Any]]) -> str:
    return f"{CHECKPOINT_PREFIX}-{position}-{heads_hash(position, heads)}"


def heads_hash(position: int, heads: list[list[Any]]) -> str:
    payload = canonical_json([CHECKPOINT_LABEL, position, heads])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def parse_checkpoint(digest: str) -> tuple[int, str]:
    """(position, hash); ValueError if it is not a checkpoint digest."""
    prefix, _, rest = digest.partition("-")
    position, _, hex_hash = rest.partition("-")
    if prefix != CHECKPOINT_PREFIX or not position.isdigit() or len(hex_hash) != 64:
        msg = f"{digest!r} is not a checkpoint digest (ckpt1-<position>-<sha256>)"
        raise ValueError(msg)
    return int(position), hex_hash.lower()


def _checkpoint_finding(position: int, last_position: int | None) -> Finding:
    if last_position is None or last_position < position:
        problem = (
            f"the log ends at position {last_position or 0}, before the checkpoint's "
            f"position {position}: events recorded before the checkpoint were removed"
        )
    else:
        problem = (
            f"the chain heads at position {position} differ from the checkpoint: events "
            "recorded before it were removed or rewritten"
        )
    return Finding(None, None, position, problem)


def _aggregate_key(originator_id: UUID | str) -> str:
    # SQLite stores ids as hex, PostgreSQL as uuid; the hash was computed over str(UUID).
    try:
        return str(originator_id if isinstance(originator_id, UUID) else UUID(originator_id))
    except ValueError:
        return str(originator_id)


def _at(position: int | None) -> str:
    return f" (position {position})" if position is not None else ""


def _range_text(first: int, last: int) -> str:
    return f"version {first} is" if first == last else f"versions {first}-{last} are"
